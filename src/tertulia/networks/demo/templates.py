"""Sentence templates of the demo stream, in Spanish and English, written for tertulia.

Slots: {brand} {at} (the brand's @handle) {tag} (hashtag) {product} {store} {competitor}
{price} {minutes} {order} {app} {club} {incident}. Each category maps to what the
platform should do with such a message (see ``generator.CATEGORIES``).
"""

from __future__ import annotations

TEMPLATES: dict[str, dict[str, tuple[str, ...]]] = {
    "complaint": {
        "es": (
            "Llevo {minutes} minutos esperando mi {product} en {brand} {store}. ¿En serio? {at}",
            "{at} el pedido {order} llegó frío y sin la mitad de las cosas. Quiero una solución.",
            "Me cobraron dos veces el {product} en {store}. {at} ¿cómo me devolvéis el dinero?",
            "La {app} de {brand} se cierra cada vez que intento pagar. Ya van tres días así.",
            "Pedí {product} sin lactosa y me lo pusieron con leche normal. Muy mal, {at}",
            "El local de {store} estaba sucísimo hoy, mesas sin limpiar y el baño cerrado. {tag}",
            "Mi {club} no suma puntos desde hace un mes. He escrito dos veces y nada. {at}",
            "Precio nuevo del {product} en {brand}: {price}. Y el tamaño es más pequeño. No.",
            "El barista de {store} fue bastante borde esta mañana. {at} esto no es normal.",
        ),
        "en": (
            "Waited {minutes} minutes for a {product} at {brand} {store}. Seriously, {at}?",
            "{at} order {order} arrived cold and half of it was missing. Please fix this.",
            "I was charged twice for my {product} at {store}. {at} how do I get a refund?",
            "The {brand} {app} crashes every single time I try to pay. Third day in a row.",
            "Asked for oat milk in my {product} and got dairy. Not okay, {at}",
            "{store} store was a mess today: dirty tables and the restroom closed. {tag}",
            "My {club} points haven't updated in a month. Emailed twice, no answer. {at}",
            "{brand} charging {price} for a {product} now and it's smaller. Hard pass.",
            "Pretty rude service at {store} this morning. {at} not the vibe.",
        ),
    },
    "question": {
        "es": (
            "{at} ¿a qué hora abre el local de {store} los domingos?",
            "Hola {at}, ¿el {product} lleva frutos secos? Tengo alergia.",
            "¿Alguien sabe si {brand} de {store} tiene enchufes y wifi para trabajar?",
            "{at} ¿cómo cambio el correo de mi {club}? No encuentro la opción en la {app}.",
            "¿Se puede llevar perro a la terraza de {brand} {store}? {at}",
            "{at} perdí mi vaso reutilizable en {store}, ¿lo habéis encontrado?",
            "¿La {app} de {brand} acepta Bizum o solo tarjeta? {at}",
        ),
        "en": (
            "{at} what time does the {store} location open on Sundays?",
            "Hi {at}, does the {product} contain nuts? I have an allergy.",
            "Does {brand} {store} have outlets and wifi? Need somewhere to work today.",
            "{at} how do I change the email on my {club}? Can't find it in the {app}.",
            "Are dogs allowed on the {brand} {store} patio? {at}",
            "{at} left my reusable cup at {store} yesterday, did anyone find it?",
            "Does the {brand} {app} take Apple Pay or just cards? {at}",
        ),
    },
    "sales": {
        "es": (
            "{at} ¿cuánto cuesta el {product}? ¿Hay precio para estudiantes?",
            "¿Tenéis {product} en {store} o solo en el centro? Quiero pedir para la oficina. {at}",
            "{at} ¿hacéis catering de desayunos para empresas? Somos unas 40 personas.",
            "Estoy pensando en dejar {competitor} y pasarme a {brand}. ¿Qué ventajas tiene el {club}?",
            "¿Dónde se compra el café en grano de {brand}? ¿Lo enviáis a domicilio? {at}",
            "{at} ¿la suscripción mensual de café incluye el {product}? ¿Cómo me apunto?",
            "¿Venden tarjetas regalo en {brand}? Es para un cumpleaños el sábado. {at}",
        ),
        "en": (
            "{at} how much is the {product}? Any student discount?",
            "Do you have {product} at {store} or only downtown? Want to order for the office. {at}",
            "{at} do you cater breakfast for companies? We're about 40 people.",
            "Thinking of switching from {competitor} to {brand}. What do I get with {club}?",
            "Where can I buy {brand} whole beans? Do you ship? {at}",
            "{at} does the monthly coffee subscription include the {product}? How do I sign up?",
            "Does {brand} sell gift cards? Need one for a birthday on Saturday. {at}",
        ),
    },
    "praise": {
        "es": (
            "El {product} de {brand} {store} me ha arreglado la mañana ☕ {tag}",
            "Gracias {at} por guardarme el último {product}. Detallazo del equipo de {store}.",
            "Nuevo sitio favorito para trabajar: {brand} {store}. Buen café y buena música.",
            "Probé el {product} nuevo de {brand} y 10/10. Vuelvo mañana seguro.",
            "Me encanta que en {brand} te pongan el café en tu propia taza y te descuenten. {tag}",
            "La barista de {store} se acuerda de mi pedido cada día. Así da gusto. {at}",
        ),
        "en": (
            "The {product} at {brand} {store} just saved my morning ☕ {tag}",
            "Thank you {at} for saving me the last {product}. The {store} team is the best.",
            "New favorite place to work: {brand} {store}. Great coffee, great playlist.",
            "Tried the new {product} from {brand}, 10/10. Coming back tomorrow.",
            "Love that {brand} gives a discount when you bring your own cup. {tag}",
            "The barista at {store} remembers my order every day. That's service. {at}",
        ),
    },
    "neutral": {
        "es": (
            "Hoy toca {product} en {brand} antes de la reunión.",
            "Quedamos en el {brand} de {store} a las cinco, que está al lado del metro.",
            "Han cambiado la carta de {brand}: ahora hay {product} todo el año.",
            "{brand} y {competitor} están uno al lado del otro en {store}. Curioso.",
            "Foto del día: la cola del {brand} de {store} a las 8:30.",
        ),
        "en": (
            "Grabbing a {product} at {brand} before the meeting.",
            "Let's meet at {brand} {store} at five, it's right by the station.",
            "{brand} changed the menu: the {product} is now year-round.",
            "{brand} and {competitor} are right next to each other at {store}. Funny.",
            "Photo of the day: the line at {brand} {store} at 8:30am.",
        ),
    },
    "spam": {
        "es": (
            "🔥 GANA DINERO DESDE CASA 🔥 {brand} no quiere que sepas esto 👉 {link}",
            "Tarjetas regalo de {brand} GRATIS solo hoy!!! Regístrate aquí {link} {tag}",
            "Sigue a esta cuenta y te regalamos un año de café {brand} 🎁 {link}",
            "Compra seguidores reales baratos, entrega en 1 hora {link} {tag}",
        ),
        "en": (
            "🔥 MAKE $500 A DAY FROM HOME 🔥 {brand} doesn't want you to know 👉 {link}",
            "FREE {brand} gift cards today only!!! Claim here {link} {tag}",
            "Follow us and win a year of {brand} coffee 🎁 {link}",
            "Buy real followers cheap, delivered in 1 hour {link} {tag}",
        ),
    },
    "influencer": {
        "es": (
            "Ranking de cafeterías para trabajar en remoto: 1) {brand} {store} 2) {competitor}. "
            "Hilo 🧵",
            "He probado el {product} de {brand} y el de {competitor}. Mi veredicto en el vídeo 👇",
            "Colaboración con {at}: este mes mi desayuno es el {product}. {tag} #publi",
            "Sinceramente, {brand} ha subido mucho el nivel. El {product} está increíble.",
        ),
        "en": (
            "Ranking coffee shops for remote work: 1) {brand} {store} 2) {competitor}. Thread 🧵",
            "Blind-tasted the {product} from {brand} vs {competitor}. Verdict in the video 👇",
            "Partnering with {at} this month: my breakfast is the {product}. {tag} #ad",
            "Honestly {brand} has leveled up. That {product} is unreal.",
        ),
    },
    "competitor": {
        "es": (
            "En {competitor} me han tenido 20 minutos esperando un café. Nunca más.",
            "{competitor} ha sacado un {product} nuevo y no está nada mal.",
            "¿Alguien ha probado la tarjeta de fidelidad de {competitor}? ¿Merece la pena?",
            "{competitor} sube precios otra vez. El café con leche ya a {price}.",
        ),
        "en": (
            "{competitor} kept me waiting 20 minutes for a coffee. Never again.",
            "{competitor} launched a new {product} and it's actually good.",
            "Anyone tried the {competitor} loyalty card? Worth it?",
            "{competitor} raised prices again. A latte is {price} now.",
        ),
    },
    "dm": {
        "es": (
            "Hola, ayer pedí por la {app} (pedido {order}) y nunca llegó. ¿Me ayudáis?",
            "Buenas, me gustaría saber si hay trabajo de barista en {store}.",
            "Hola, me cobraron {price} de más en {store}. Tengo el ticket.",
            "¿Me podéis pasar la carta de alérgenos del {product}?",
            "Quiero dar de baja mi {club}, ¿cómo lo hago?",
            "Hola! Queremos encargar 3 tartas para el viernes, ¿es posible?",
        ),
        "en": (
            "Hi, I ordered on the {app} yesterday (order {order}) and it never arrived. Help?",
            "Hello, are you hiring baristas at {store}?",
            "Hi, I was overcharged {price} at {store}. I have the receipt.",
            "Could you send me the allergen info for the {product}?",
            "I want to cancel my {club}, how do I do that?",
            "Hi! We'd like to order 3 cakes for Friday, is that possible?",
        ),
    },
    "dm_followup": {
        "es": ("¿Hola? ¿Alguien me lee?", "Sigo esperando respuesta…", "Adjunto foto del ticket.",
               "Gracias, quedo atento."),
        "en": ("Hello? Anyone there?", "Still waiting for an answer…",
               "Attaching a photo of the receipt.", "Thanks, looking forward to it."),
    },
    "comment": {
        "es": (
            "¡Qué buena pinta! ¿Está en todos los locales?",
            "Ojalá lo pongáis también en {store} 🙏",
            "Precio?",
            "El mío llegó frío ayer, a ver si lo mejoráis.",
            "¡Lo quiero ya! 😍",
            "¿Y la versión sin gluten para cuándo?",
        ),
        "en": (
            "Looks amazing! Is it at every location?",
            "Please bring it to {store} too 🙏",
            "Price?",
            "Mine was cold yesterday, hope you fix that.",
            "I need this now! 😍",
            "When is the gluten-free version coming?",
        ),
    },
    "crisis": {
        "es": (
            "Lo de {brand} es inaceptable: {incident}. Exijo explicaciones {at}",
            "No pienso volver a {brand} después de {incident}. Vergüenza.",
            "¿Nadie va a hablar de {incident}? {brand} calladito. {tag}",
            "Comparto para que se sepa: {incident}. {at} respondan ya.",
            "Boicot a {brand} hasta que den la cara por {incident} {tag}",
            "Mi hermana también estuvo ahí. Lo de {incident} es real. Qué asco, {at}",
        ),
        "en": (
            "What {brand} did is unacceptable: {incident}. {at} we want answers",
            "Never going back to {brand} after {incident}. Shameful.",
            "Is nobody talking about {incident}? {brand} staying quiet. {tag}",
            "Sharing so people know: {incident}. {at} respond now.",
            "Boycott {brand} until they own up to {incident} {tag}",
            "My sister was there too. {incident} is real. Disgusting, {at}",
        ),
    },
    "news": {
        "es": (
            "{brand} anuncia la apertura de un nuevo local en {store}",
            "La cadena {brand} lanzará un {product} de temporada este mes",
            "{competitor} y {brand} compiten por el desayuno en {store}",
        ),
        "en": (
            "{brand} announces a new location in {store}",
            "{brand} to launch a seasonal {product} this month",
            "{competitor} and {brand} battle for the breakfast crowd at {store}",
        ),
    },
}

INCIDENTS: dict[str, dict[str, str]] = {
    "food_poisoning": {
        "es": "la intoxicación de varios clientes con el batido de fresa en {store}",
        "en": "several customers getting sick from the strawberry smoothie at {store}",
    },
    "cockroach": {
        "es": "la cucaracha en la vitrina de dulces de {store}",
        "en": "the cockroach in the pastry case at {store}",
    },
    "data_leak": {
        "es": "la filtración de datos de tarjetas de la {app}",
        "en": "the {app} leaking customers' card details",
    },
    "strike": {
        "es": "el despido de los baristas en huelga de {store}",
        "en": "firing the striking baristas at {store}",
    },
}

PRODUCTS = {
    "es": ("café con leche", "flat white de avena", "cruasán de mantequilla", "tarta de queso",
           "cold brew", "chai latte", "bocadillo de tortilla", "capuchino", "mocha helado",
           "bizcocho de plátano", "matcha latte", "tostada con tomate"),
    "en": ("oat flat white", "butter croissant", "cheesecake", "cold brew", "chai latte",
           "breakfast sandwich", "cappuccino", "iced mocha", "banana bread", "matcha latte",
           "blueberry muffin", "avocado toast"),
}
STORES = {
    "es": ("Gran Vía", "plaza Mayor", "Malasaña", "la estación", "el aeropuerto", "Chamberí",
           "Triana", "la universidad"),
    "en": ("Downtown", "Riverside", "the airport", "Union Square", "Main St", "the campus",
           "Harbor View", "Midtown"),
}
APP = {"es": "app", "en": "app"}
CLUB = {"es": "tarjeta {name} Club", "en": "{name} Rewards card"}
FIRST_NAMES = {
    "es": ("Lucía", "Mateo", "Sofía", "Hugo", "Martina", "Leo", "Valeria", "Daniel", "Paula",
           "Álvaro", "Carmen", "Javier", "Elena", "Diego", "Noa", "Pablo", "Irene", "Marcos",
           "Julia", "Andrés", "Camila", "Sergio", "Ximena", "Tomás"),
    "en": ("Emma", "Liam", "Olivia", "Noah", "Ava", "James", "Mia", "Lucas", "Chloe", "Ethan",
           "Grace", "Owen", "Harper", "Jack", "Zoe", "Ryan", "Nora", "Caleb", "Ruby", "Sam",
           "Priya", "Kenji", "Amara", "Dev"),
}
LAST_NAMES = {
    "es": ("García", "Martínez", "López", "Sánchez", "Romero", "Navarro", "Torres", "Ruiz",
           "Moreno", "Castro", "Ortega", "Delgado", "Vega", "Herrera", "Molina", "Rojas"),
    "en": ("Smith", "Johnson", "Brown", "Taylor", "Walker", "Hughes", "Carter", "Bennett",
           "Reed", "Foster", "Price", "Murphy", "Shaw", "Patel", "Nguyen", "Kim"),
}
CITIES = {
    "es": ("Madrid", "Sevilla", "Valencia", "Bilbao", "Ciudad de México", "Bogotá", "Lima",
           "Buenos Aires"),
    "en": ("London", "Austin", "Toronto", "Chicago", "Dublin", "Seattle", "Manchester",
           "Denver"),
}
INFLUENCERS = (
    ("cafeconmarta", "Marta · Café y ciudad", "es", 312_000),
    ("desayunosdemadrid", "Desayunos de Madrid", "es", 158_000),
    ("elbaristaviajero", "El Barista Viajero", "es", 540_000),
    ("thebeanreport", "The Bean Report", "en", 1_240_000),
    ("workfromcafes", "Work From Cafés", "en", 86_000),
    ("brunchwithdev", "Dev Brunches", "en", 402_000),
)
SPAM_LINKS = ("https://bit.example/x7Gq2", "https://free-gift.example/claim",
              "https://followers.example/buy", "https://cash-now.example/start")
