"""Hand-written word lists: stop words, negators, our Spanish sentiment words, intent cues.

These are our own lists (written for tertulia, not copied from another project). They are
plain data so the featuriser can hash them once at import time.
"""

from __future__ import annotations

# Function words removed from keywords. Accented and unaccented spellings are both listed
# because keywords keep the user's accents while tweets often drop them.
STOP_WORDS_ES: frozenset[str] = frozenset(
    [
        "a", "al", "algo", "algun", "alguna", "algunas", "alguno", "algunos", "ante", "antes",
        "aqui", "aquí", "asi", "así", "aun", "aún", "bajo", "bien", "cada", "casi", "como", "cómo",
        "con", "contra", "cual", "cuál", "cuales", "cuando", "cuándo", "de", "del", "desde",
        "donde", "dónde", "dos", "el", "él", "ella", "ellas", "ellos", "en", "entre", "era", "eran",
        "eres", "es", "esa", "esas", "ese", "eso", "esos", "esta", "está", "estaba", "estaban",
        "estamos", "estan", "están", "estar", "estas", "estás", "este", "esto", "estos", "estoy",
        "fue", "fueron", "fui", "ha", "había", "habia", "han", "hace", "hacer", "hasta", "hay",
        "he", "la", "las", "le", "les", "lo", "los", "mas", "más", "me", "mi", "mí", "mis", "mismo",
        "muy", "mucho", "muchos", "nada", "ni", "no", "nos", "nosotros", "o", "os", "otra", "otro",
        "otros", "para", "pero", "poco", "por", "porque", "que", "qué", "quien", "quién", "se",
        "sea", "ser", "si", "sí", "sido", "sin", "sobre", "solo", "sólo", "son", "soy", "su", "sus",
        "tambien", "también", "tan", "tanto", "te", "tengo", "tenemos", "tiene", "tienen", "ti",
        "toda", "todas", "todo", "todos", "tu", "tú", "tus", "un", "una", "unas", "uno", "unos",
        "usted", "ustedes", "va", "van", "vamos", "voy", "y", "ya", "yo", "vez", "veces", "hoy",
        "dia", "día", "pues", "eh", "ah", "oh", "q", "x", "d", "pq", "xq", "tb", "tmb", "k",
        "cuanto", "cuánto", "cuanta", "cuánta", "cuantos", "cuántos", "cuantas", "cuántas",
    ]
)

STOP_WORDS_EN: frozenset[str] = frozenset(
    [
        "a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any", "are",
        "as", "at", "be", "because", "been", "before", "being", "below", "between", "both", "but",
        "by", "can", "could", "did", "do", "does", "doing", "down", "during", "each", "few", "for",
        "from", "further", "had", "has", "have", "having", "he", "her", "here", "hers", "herself",
        "him", "himself", "his", "how", "i", "if", "in", "into", "is", "it", "its", "itself",
        "just", "me", "more", "most", "my", "myself", "no", "nor", "not", "now", "of", "off", "on",
        "once", "only", "or", "other", "our", "ours", "out", "over", "own", "same", "she", "should",
        "so", "some", "such", "than", "that", "the", "their", "theirs", "them", "then", "there",
        "these", "they", "this", "those", "through", "to", "too", "under", "until", "up", "very",
        "was", "we", "were", "what", "when", "where", "which", "while", "who", "whom", "why",
        "will", "with", "would", "you", "your", "yours", "yourself", "im", "ive", "dont", "cant",
        "wont", "didnt", "doesnt", "isnt", "u", "ur", "r", "ya", "get", "got", "go", "going", "one",
        "also", "like", "today", "tomorrow", "tonight", "day", "still", "even", "really", "us",
        "via", "amp", "rt", "may", "might", "must", "shall", "let", "lets", "oh", "ok", "okay",
        "yes", "yeah", "hey", "hi", "thats", "theres", "whats", "please",
    ]
)

# Markers produced by normalisation, never shown as keywords.
MARKER_PREFIX = "x"
MARKERS: frozenset[str] = frozenset(
    {"xurl", "xuser", "xhashtag", "xlaugh", "xemopos", "xemoneg", "xemoneu", "xnum", "xelong"}
)

STOP_WORDS: frozenset[str] = STOP_WORDS_ES | STOP_WORDS_EN | MARKERS

# Negators open a negation scope over the next few words of the same clause. "n't" is
# rewritten to " not" by normalisation, so contractions arrive here as "not".
NEGATORS: frozenset[str] = frozenset(
    [
        "no", "not", "never", "nunca", "jamas", "jamás", "ni", "tampoco", "nadie", "nada", "ningun",
        "ningún", "ninguna", "ninguno", "sin", "without", "nobody", "nothing", "nor", "neither",
        "cant", "dont", "wont", "isnt", "arent", "wasnt", "werent", "didnt", "doesnt", "havent",
        "hasnt", "shouldnt", "wouldnt", "couldnt", "aint",
    ]
)

# Our own Spanish valence list, -4..+4 like VADER's scale, written for social posts about
# brands and services. Accent-free spellings because features are computed on unaccented text.
SENTIMENT_ES: dict[str, float] = {
    **dict.fromkeys(
        [
            "genial", "excelente", "encanta", "encantan", "encanto", "maravilloso", "maravillosa",
            "fantastico", "fantastica", "increible", "perfecto", "perfecta", "buenisimo",
            "buenisima", "espectacular", "brutal", "chulo", "chula", "mola", "molan", "guapo",
            "guapa", "precioso", "preciosa", "amor", "amo", "adoro", "felicidades", "enhorabuena",
            "orgulloso", "orgullosa", "feliz", "felices", "alegria",
        ],
        2.8,
    ),
    **dict.fromkeys(
        [
            "bueno", "buena", "buenos", "buenas", "bien", "mejor", "gracias", "agradecido",
            "agradecida", "gusta", "gustan", "disfrutar", "disfrute", "disfrutando", "divertido",
            "divertida", "bonito", "bonita", "lindo", "linda", "rico", "rica", "suerte", "exito",
            "gran", "guay", "recomiendo", "recomendable", "util", "rapido", "rapida", "contento",
            "contenta", "ilusion", "esperanza", "animo", "feliz", "bravo", "ole", "top",
        ],
        1.8,
    ),
    **dict.fromkeys(
        [
            "malo", "mala", "malos", "malas", "peor", "mal", "triste", "tristeza", "pena",
            "lastima", "problema", "problemas", "error", "fallo", "falla", "queja", "lento",
            "lenta", "caro", "cara", "tarde", "retraso", "cancelado", "cancelada", "aburrido",
            "aburrida", "cansado", "cansada", "harto", "harta", "preocupado", "dificil", "miedo",
            "llorar", "lloro", "duele", "dolor", "sufrir", "culpa", "roto", "rota", "averia",
            "perdido", "perdida",
        ],
        -1.8,
    ),
    **dict.fromkeys(
        [
            "horrible", "pesimo", "pesima", "fatal", "asco", "asqueroso", "odio", "odiar",
            "verguenza", "vergonzoso", "estafa", "estafadores", "ladrones", "timo", "basura",
            "desastre", "penoso", "penosa", "indignante", "indignado", "indignada", "vergüenza",
            "mierda", "joder", "puto", "puta", "cabreado", "cabreada", "inaceptable", "lamentable",
            "patetico", "ridiculo", "nefasto", "terrible", "peor", "odiosa", "insoportable",
            "inutil", "inutiles", "mentira", "mentirosos", "robo",
        ],
        -2.8,
    ),
}

# Sales intent (green): price, availability, how to buy, wants to switch. Each entry is
# (reason, regex). Patterns see folded text: lower case, no accents, digits as 0, and
# "n't" already rewritten to " not" ("can't" arrives as "ca not").
SALES_PATTERNS: tuple[tuple[str, str], ...] = (
    ("price", r"\b(?:how much (?:is|are|does|do|for)|what(?:'s| is) the (?:price|cost)|"
     r"price (?:of|for)|pricing|cuanto (?:cuesta|vale|cuestan|valen|sale|cobran)|"
     r"que precio|precio (?:de|del|tiene)|precios|quanto (?:custa|costa)|combien coute|"
     r"wie viel kostet|any (?:discount|deal|promo)|hay (?:descuento|oferta|promo))"),
    ("availability", r"\b(?:in stock|back in stock|do you (?:have|sell|ship|deliver)|"
     r"when (?:will|does) (?:it|the \w+) (?:be available|come out|launch)|"
     r"(?:tienen|teneis|tenes|hay) (?:stock|disponible|en talla)|(?:esta|estan) disponibles?|"
     r"(?:hacen|haceis) envios|envian a|cuando (?:sale|llega|estara) (?:a la venta|disponible))"),
    ("buy", r"\b(?:where (?:can|do) i (?:buy|get|order)|how (?:can|do) i (?:buy|order|"
     r"sign up|subscribe)|(?:want|like) to (?:buy|order|purchase|sign up|upgrade|subscribe)|"
     r"(?:quiero|quisiera|me gustaria) (?:comprar|contratar|pedir|reservar|encargar)|"
     r"donde (?:puedo )?(?:comprar|compro|consigo)|como (?:puedo )?(?:comprar|contratar)|"
     r"onde (?:posso )?comprar|ou acheter|dove (?:posso )?comprare)"),
    ("switch", r"\b(?:switch(?:ing)? (?:to|over to)|thinking (?:of|about) (?:switching|moving) "
     r"to|(?:me quiero|quiero|pienso|voy a) (?:cambiar(?:me)?|pasar(?:me)?) (?:a|de compania)|"
     r"cambiarme a|portabilidad|considering (?:buying|getting))"),
)

# Help requests and concrete service problems: push a critical post toward yellow (a
# customer needs customer service) rather than red (public criticism).
HELP_PATTERNS: tuple[tuple[str, str], ...] = (
    ("help_request", r"\b(?:help|please (?:fix|respond|reply|check)|can (?:you|someone) "
     r"(?:help|check|fix)|dm (?:me|us)|any update|still waiting|no (?:response|reply)|"
     r"no one (?:has )?(?:answered|replied|helped)|ayuda|ayudenme|ayudame|socorro|"
     r"necesito (?:ayuda|hablar)|alguien (?:me )?(?:puede|podria) ayudar|sigo esperando|"
     r"nadie (?:me )?(?:responde|contesta|atiende)|me (?:pueden|podeis) ayudar)"),
    ("service_problem", r"\b(?:my (?:order|package|account|bag|luggage|flight|refund|"
     r"booking|reservation|card|bill|delivery)|refund|reembolso|devolucion|mi (?:pedido|"
     r"paquete|cuenta|maleta|vuelo|factura|tarjeta|reserva|envio)|no (?:funciona|me llega|"
     r"ha llegado|llega)|not working|does not work|do not work|(?:wo|will) not (?:load|work|"
     r"open)|(?:ca not|cannot) (?:log ?in|access|connect)|no puedo (?:entrar|acceder|"
     r"conectar)|sin (?:servicio|conexion|luz|internet)|cancel+ed|delayed|lost|outage|"
     r"caido|averia)"),
)

def _words(text: str) -> list[str]:
    return text.split()


# Whole words or word pairs (folded), at least one of which occurs in every match of the
# patterns above (plurals and the inflections a pattern's open end accepts are listed
# too): texts with none of them are never read by the (slower) regexes. Found with the
# batch's word and word-pair hashes, so picking the candidates costs two vectorised
# lookups; pairs stand in for common words ("you have", not "have"). A test checks that
# the patterns find nothing in the texts this skips.
SALES_TRIGGERS: frozenset[str] = frozenset(
    [
        *_words("""much price prices priced pricing cost costs cuanto precio precios quanto
        combien kostet discount discounts deal deals promo promos promotion promotions
        descuento descuentos oferta ofertas stock stocked available availability launch
        launches launched launching tienen teneis tenes disponible disponibles talla tallas
        envios envian venta buy buying subscribe subscribed subscription purchase
        purchased purchasing upgrade upgraded upgrading comprar compro consigo contratar
        contratarlo contratarla comprarlo comprarla comprarme pedir pedirlo reservar
        reservarlo encargar encargarlo acheter comprare switch switching moving cambiar
        cambiarme pasar pasarme portabilidad considering"""),
        "you have", "you sell", "you ship", "you shipping", "you deliver", "you delivery",
        "i get", "i order", "to order", "i ordering", "come out", "sign up", "to sign",
    ]
)
HELP_TRIGGERS: frozenset[str] = frozenset(
    [
        *_words("""help helps helped helping helpful helpfulness helpless helpline helpdesk helper
        helpers respond fix answered replied ayuda ayudas ayudar ayudame ayudenme ayudadme
        ayudan ayudais ayudarme ayudarnos ayudado ayudaria ayudarian ayudarte ayudanos
        ayudarle ayudarles socorro nadie refund refunds refunded refunding refundable
        reembolso reembolsos devolucion devoluciones canceled cancelled delayed lost outage
        outages caido caida averia averias"""),
        *(f"my {w}" for w in _words("""order orders package packages account accounts bag bags
          baggage luggage flight flights refund refunds booking bookings reservation
          reservations card cards bill bills billing delivery deliveries""")),
        *(f"mi {w}" for w in _words("""pedido paquete cuenta maleta vuelo factura tarjeta reserva
          reservacion envio""")),
        "please fix", "please respond", "please reply", "please check", "you help",
        "you check", "you fix", "someone help", "someone check", "someone fix", "dm me",
        "dm us", "any update", "any updates", "still waiting", "no response", "no reply",
        "no responses", "no one", "necesito ayuda", "necesito hablar", "sigo esperando",
        "no funciona", "no funcionan", "me llega", "no llega", "no llegan", "ha llegado",
        "not working", "not work", "not load", "not loading", "not open", "not opening",
        "not log", "not login", "not access", "not accessing", "not connect",
        "not connected", "not connecting", "not connection", "cannot log", "cannot login",
        "cannot access", "cannot connect", "cannot connecting", "cannot connection",
        "cannot accessing", "puedo entrar", "puedo acceder", "puedo conectar",
        "puedo conectarme", "sin servicio", "sin conexion", "sin luz", "sin internet",
    ]
)

LAUGH_WORDS: frozenset[str] = frozenset({"lol", "lmao", "lmfao", "rofl", "xd", "xdd"})
