"""Hand-written word lists: stop words, negators, our Spanish sentiment words, intent cues.

These are our own lists (written for tertulia, not copied from another project). They are
plain data so the featuriser can hash them once at import time.
"""

from __future__ import annotations

# Function words removed from keywords. Accented and unaccented spellings are both listed
# because keywords keep the user's accents while tweets often drop them.
STOP_WORDS_ES: frozenset[str] = frozenset(
    """
    a al algo algun alguna algunas alguno algunos ante antes aqui aquí asi así aun aún
    bajo bien cada casi como cómo con contra cual cuál cuales cuando cuándo de del desde
    donde dónde dos el él ella ellas ellos en entre era eran eres es esa esas ese eso esos
    esta está estaba estaban estamos estan están estar estas estás este esto estos estoy
    fue fueron fui ha había habia han hace hacer hasta hay he la las le les lo los mas más
    me mi mí mis mismo muy mucho muchos nada ni no nos nosotros o os otra otro otros para
    pero poco por porque que qué quien quién se sea ser si sí sido sin sobre solo sólo son
    soy su sus tambien también tan tanto te tengo tenemos tiene tienen ti toda todas todo
    todos tu tú tus un una unas uno unos usted ustedes va van vamos voy y ya yo vez veces
    hoy dia día pues eh ah oh q x d pq xq tb tmb k
    """.split()
)

STOP_WORDS_EN: frozenset[str] = frozenset(
    """
    a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for
    from further had has have having he her here hers herself him himself his how i if in
    into is it its itself just me more most my myself no nor not now of off on once only or
    other our ours out over own same she should so some such than that the their theirs
    them then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself im
    ive dont cant wont didnt doesnt isnt u ur r ya get got go going one also like today
    tomorrow tonight day still even really us via amp rt may might must shall let lets
    oh ok okay yes yeah hey hi thats theres whats
    """.split()
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
    """
    no not never nunca jamas jamás ni tampoco nadie nada ningun ningún ninguna ninguno sin
    without nobody nothing nor neither cant dont wont isnt arent wasnt werent didnt doesnt
    havent hasnt shouldnt wouldnt couldnt aint
    """.split()
)

# Our own Spanish valence list, -4..+4 like VADER's scale, written for social posts about
# brands and services. Accent-free spellings because features are computed on unaccented text.
SENTIMENT_ES: dict[str, float] = {
    **dict.fromkeys(
        "genial excelente encanta encantan encanto maravilloso maravillosa fantastico "
        "fantastica increible perfecto perfecta buenisimo buenisima espectacular "
        "brutal chulo chula mola molan guapo guapa precioso preciosa amor amo adoro "
        "felicidades enhorabuena orgulloso orgullosa feliz felices alegria".split(),
        2.8,
    ),
    **dict.fromkeys(
        "bueno buena buenos buenas bien mejor gracias agradecido agradecida gusta gustan "
        "disfrutar disfrute disfrutando divertido divertida bonito bonita lindo linda "
        "rico rica suerte exito gran guay recomiendo recomendable util rapido rapida "
        "contento contenta ilusion esperanza animo feliz bravo ole top".split(),
        1.8,
    ),
    **dict.fromkeys(
        "malo mala malos malas peor mal triste tristeza pena lastima problema problemas "
        "error fallo falla queja lento lenta caro cara tarde retraso cancelado cancelada "
        "aburrido aburrida cansado cansada harto harta preocupado dificil miedo llorar "
        "lloro duele dolor sufrir culpa roto rota averia perdido perdida".split(),
        -1.8,
    ),
    **dict.fromkeys(
        "horrible pesimo pesima fatal asco asqueroso odio odiar verguenza vergonzoso "
        "estafa estafadores ladrones timo basura desastre penoso penosa indignante "
        "indignado indignada vergüenza mierda joder puto puta cabreado cabreada "
        "inaceptable lamentable patetico ridiculo nefasto terrible peor odiosa "
        "insoportable inutil inutiles mentira mentirosos robo".split(),
        -2.8,
    ),
}

# Sales intent (green): price, availability, how to buy, wants to switch. Regexes over the
# accent-stripped lower-case text; each entry is (reason, pattern).
SALES_PATTERNS: tuple[tuple[str, str], ...] = (
    ("price", r"\b(?:how much|what(?:'s| is) the (?:price|cost)|price (?:of|for)|pricing|"
     r"cuanto (?:cuesta|vale|cuestan|valen|sale|cobran)|que precio|precio de|precios|"
     r"quanto custa|combien (?:coute|ca coute)|quanto costa|wie viel kostet|"
     r"any (?:discount|deal|promo)|hay (?:descuento|oferta|promo))"),
    ("availability", r"\b(?:in stock|available in|do you (?:have|sell|ship|deliver)|"
     r"when (?:will|does) (?:it|the \w+) (?:be available|come out|launch)|"
     r"(?:tienen|teneis|tenes|hay) (?:stock|disponible|en talla)|esta disponible|"
     r"(?:hacen|haceis) envios|envian a|llega a|cuando sale|cuando (?:llega|estara))"),
    ("buy", r"\b(?:where (?:can|do) i (?:buy|get|order)|how (?:can|do) i (?:buy|order|"
     r"sign up|subscribe)|want to (?:buy|order|purchase|sign up|upgrade)|"
     r"(?:quiero|quisiera|me gustaria) (?:comprar|contratar|pedir|reservar|encargar)|"
     r"donde (?:puedo )?(?:comprar|compro|consigo)|como (?:puedo )?(?:comprar|contratar|pedir)|"
     r"onde (?:posso )?comprar|ou acheter|dove (?:posso )?comprare)"),
    ("switch", r"\b(?:switch(?:ing)? to|thinking of (?:switching|moving) to|"
     r"(?:me quiero|quiero|pienso|voy a) (?:cambiar(?:me)?|pasar(?:me)?) (?:a|de compania)|"
     r"cambiarme a|portabilidad|considering (?:buying|getting))"),
)

# Help requests (pushes a negative post toward yellow: a customer needs service).
HELP_PATTERNS: tuple[tuple[str, str], ...] = (
    ("help_request", r"\b(?:help|please (?:help|fix|respond|reply|check)|can (?:you|someone) "
     r"help|dm (?:me|us)|any update|still waiting|no response|no one (?:has )?(?:answered|"
     r"replied|helped)|ayuda|ayudenme|ayudame|socorro|necesito (?:ayuda|hablar)|"
     r"alguien (?:me )?(?:puede|podria) ayudar|sigo esperando|nadie (?:me )?(?:responde|"
     r"contesta|atiende)|me (?:pueden|podeis) ayudar)"),
    ("service_problem", r"\b(?:my (?:order|package|account|bag|luggage|flight|refund|"
     r"booking|reservation|card|bill)|refund|reembolso|devolucion|mi (?:pedido|paquete|"
     r"cuenta|maleta|vuelo|factura|tarjeta|reserva)|no (?:funciona|me llega|ha llegado|"
     r"llega)|not working|doesnt work|does not work|wont (?:load|work|open)|cant (?:log ?in|"
     r"access|connect)|no puedo (?:entrar|acceder|conectar)|sin (?:servicio|conexion|luz|"
     r"internet)|cancel+ed|delayed|lost|outage|caido|averia)"),
)

LAUGH_WORDS: frozenset[str] = frozenset({"lol", "lmao", "lmfao", "rofl", "xd", "xdd"})
