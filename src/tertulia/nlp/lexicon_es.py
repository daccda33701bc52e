"""Our Spanish valence lexicon for social posts (Spain and Latin America), VADER's -4..+4 scale.

Written for tertulia from general knowledge of the language (not copied from another
lexicon, not derived from any evaluation split). Entries are grouped by strength; each
group lists lemmas with a compact inflection rule so one line covers the usual forms:

- ``adj:`` an adjective or participle in the masculine singular: ``-o`` gives ``-a``,
  ``-os``, ``-as``; ``-e``/consonant endings give the plural (``-es``/``-s``);
- ``noun:`` a noun: its plural is added;
- ``word:`` exactly the forms written (verbs are listed by their common forms).

``expand()`` returns ``{form: valence}``; the featuriser folds accents, case and
elongations, so forms are written with their  spelling.
"""

from __future__ import annotations

# (valence, kind, space-separated entries)
_GROUPS: tuple[tuple[float, str, str], ...] = (
    # --- strongly positive -----------------------------------------------------------------
    (3.0, "adj", """excelente maravilloso fantástico espectacular increíble perfecto genial
        magnífico estupendo impresionante brillante extraordinario fabuloso buenísimo
        divino encantador adorable precioso preciosísimo hermoso hermosísimo bellísimo
        guapísimo riquísimo deliciosísimo felicísimo maravillado emocionadísimo
        espléndido sublime insuperable inmejorable alucinante flipante fenomenal
        extraordinaria"""),
    (3.0, "word", """encanta encantan encantó encantaron encantaría encanto encantada
        encantado amo amamos adoro adoramos amé felicidades enhorabuena felicitaciones
        bravo gracias graciass muchísimas agradecidísimo agradecidísima teamo tqm tkm
        love lovee maravilla maravillas orgullazo crack cracks ídolo ídola ídolos genio
        genia genios top bacán chévere chido chida padrísimo padrísima brutal bestial
        olé ole wow guau felicidad"""),
    (3.0, "noun", """amor maravilla alegría felicidad bendición orgullo triunfo éxito
        victoria campeón campeona"""),
    # --- positive ---------------------------------------------------------------------------
    (2.2, "adj", """bueno bonito lindo guapo bello feliz contento alegre divertido gracioso
        simpático amable majo chulo guay mejor agradecido orgulloso emocionado ilusionado
        enamorado querido amado favorito genial fácil rápido cómodo útil práctico
        recomendable delicioso rico sabroso exquisito fresco limpio seguro tranquilo
        relajado descansado satisfecho encantador cariñoso tierno dulce bendito afortunado
        ganador exitoso valiente fuerte sano saludable positivo optimista motivado
        inspirador interesante entretenido original creativo elegante atractivo sexy
        maravilloso bienvenido puntual eficiente eficaz profesional atento correcto
        agradable acogedor increíble espectacular impecable ideal único especial
        inolvidable mágico precioso gratis gratuito barato económico"""),
    (2.2, "word", """bien buen buena buenas buenos mejor mejores gusta gustan gustó gustaron
        gustaría disfruto disfruta disfrutar disfrutando disfruté disfrutamos disfruten
        disfrutad     cariño cariños besos beso besito besitos
        abrazo abrazos abrazote sonrisa sonrisas sonreír sonrío risa risas reír reírme
        celebrar celebrando celebramos fiesta fiestón paz esperanza suerte ánimo ánimos
        fuerza fuerzas apoyo felices ilusión ilusiones alegra alegro alegran alegrarse
        alegrado emociona emocionante ganas ganamos ganar ganó ganado gané logramos
        logrado conseguido conseguimos recomiendo recomendamos mola molan molaba molar
        guapa guapas lindas lindos hermosas bonitas bonitos precioso amistad amigo amiga
        amigos amigas hermano hermanos familia regalo regalos premio premios sorpresa
        vacaciones descanso playa verano cumple cumpleaños navidad bendiciones bendiga
        bendice  aplausos aplauso enhorabuena  agradezco agradecemos agradecer
        agradecimiento perfecta perfectos perfectas magnífica solución solucionado
        resuelto arreglado funciona funcionó rapidez calidad placer encantadora amable
        acierto acertado lujo oportunidad ventaja oferta ofertas descuento gratis
        viva vivan hurra yay yupi jeje jiji xd xdd"""),
    (1.4, "word", """vale     bueno  correcto interesante curioso
        tranquilo tranquila calma ojalá espero esperemos deseo deseando deseos ganas
             apoyar apoyamos apoyo unidos juntos
        compartir comparto comparte    novedad estreno
        bienvenida bienvenidos bienvenidas sano salud   disfrute
         finde libre libertad cómoda cómodos cómodas seguro fresca frescas
        tierna hermosa bella bellas guay chula chulas chulos cuqui cuquis monada mono
        mona monos monas"""),
    (2.2, "word", """chachi chulísimo guapetón bravazo bravaza paja bacanes chéveres tuanis
        chiva chimba pura puravida buenazo buenaza buenardo cracks flipo flipa flipando
        flipé alucino alucina alucinando mola molaría molo molamos gozar gozando gocé
        gozada gustazo puntazo temazo temazos cancionazo golazo golazos partidazo
        peliculón fiestón cochazo gozo yuju yupi bieen biien viva vivaa amén ojalá
        felicitar felicito felicitamos felicitó agradezco agradecida agradecidos
        aplaudir aplaudo admiro admiración admirable ame amas ama aman amando amado
        amor amores enamora enamoré enamorada enamorados enamorar quiérote adorar adora
        adoran adorable adorables bonito preciosidad belleza bellezas guapura hermosura
        sonriendo sonríe riendo ríe diversión divertirse divertirme divertimos divertí
        disfrutado disfrutamos encantador encantadores encantadoras encantaba
        encantará maravillosa maravillosos maravillosas fantástica fantásticos
        fantásticas genialidad geniales ganador ganadora triunfar triunfo triunfó
        victoria gana ganan ganaste ganamos campeones feliz felizmente alegremente
        orgullosa orgullosos orgullosas satisfecha satisfechos contentos contentas
        ilusionada ilusionados emocionada emocionados motivada motivados inspiración
        inspirado esperanzado tranquilidad calma relax relajante descansar descansando
        bienestar salud sanos sanas saludos saludo abrazote abrazotes besote besotes
        mua muak muack xoxo bss bsos graciaa graciaas grax thx thanks gracias mil
        recomendación recomendado recomendada recomendados favorita favoritos favoritas
        mejorado mejorando mejora mejoras mejoró guapos guapas ricas ricos rica rico
        delicia delicias sabrosa sabroso riquísima riquísimo encantadísimo encantadísima
        brindis brindar celebración celebraciones aniversario boda bodas nacimiento
        bebé bebés nena nene cielo corazón corazones vida mía mi_vida tesoro"""),
    # --- mildly negative --------------------------------------------------------------------
    (-1.4, "word", """no          difícil
        complicado complicada raro rara extraño extraña lento lenta lentos caro caros
        carísimo carísima
         retraso retrasos     cansado cansada cansados
         frío calor lluvia lunes examen exámenes deberes  madrugar madrugón
        problema  duda dudas   aviso alerta quejarse quejo queja quejas
        pena lástima   extraño extrañar extraño echo_de_menos
        aburre aburro aburrimiento"""),
    (-2.2, "adj", """malo triste enfadado molesto cabreado enojado harto aburrido cansado
        agotado estresado preocupado nervioso asustado deprimido decepcionado
        decepcionante frustrado frustrante jodido fastidiado dolido herido roto perdido
        enfermo malito cancelado suspendido averiado estropeado caído retrasado sucio feo
        lento inútil incompetente inaceptable injusto absurdo ridículo patético
        penoso lamentable vergonzoso indignado indignante cutre mediocre grosero
        maleducado borde antipático pesado insoportable insufrible aburrido peligroso
        falso mentiroso corrupto culpable negativo pesimista solitario fallecido muerto
        destrozado hundido arruinado estafado engañado robado olvidado ignorado
        abandonado decepcionado desesperado desastroso agobiado angustiado"""),
    (-2.2, "word", """mal mala malas malos peor peores odio odias odia odiamos odian odiar
        odié detesto detesta detestar triste tristeza tristes llorar lloro llora lloré
        llorando lágrimas lágrima dolor duele duelen dolió sufrir sufro sufriendo
        sufrimiento miedo miedos temo muerte morir muero murió muertos enfermedad
        cáncer crisis paro guerra ataque atentado violencia asesinato asesinado
        asesino víctimas víctima accidente heridos tragedia drama problema problemas
        error errores fallo fallos falla fallas fallan culpa culpas perder perdimos
        perdió perdí perdido derrota derrotas fracaso fracasos decepción desilusión
        frustración rabia ira enfado cabreo mosqueo ansiedad depresión soledad estrés
        agobio angustia preocupación preocupa preocupe nervios queja quejas reclamación
        reclamo avería averías retrasos cancelación cancelado cancelaron
              injusticia abuso abusos mentira
        mentiras engaño engañan roban robo robos estafa estafas timo fraude corrupción
        recortes despidos desahucio pobreza hambre vergüenza pena penita lástima
        basura desgracia desgraciado horror horrores pesadilla caos desastre ruina
        sufre sufren echo_de_menos extraño extraños triste snif buaa buah ufff uff
        argh puaj"""),
    (-2.2, "word", """chungo chunga chungos chungas rayado rayada rayada rallado rallada
        coñazo rollo palo putada putadas faena marrón marrones jodienda pringado
        pringada pringados cutre cutres roche palta misio asu pucha pucha chuta
        chucha diablos demonios rayos porras ostras mecachis jolín jolines jopé jo joo
        buf puf uf ufff ay ayy aiii snif sniff buaaa nooo noooo dios_mío horrible
        pesadísimo pesadísima lentísimo lentísima carísimo tardísimo mala_suerte
        fastidio fastidia fastidian fastidiado molesta molestan molestó molestia
        molestias incómodo incómoda incómodos incómodas insoportable insoportables
        enfada enfadan enfadé enfado enfadada enfadados cabrea cabrean cabreó cabreo
        cabreada cabreadísimo indigna indignación harta hartos hartas hartazgo
        quejándose quejándome reclamar reclamo denuncia denunciar denuncio demanda
        estafado estafada engañado engañada engaña mienten mientes miente mintió
        lloro lloré lloramos lloran llorar llorando lloraba triste tristes tristemente
        deprimida deprimidos depre bajón agobiada agobiado agobiados estresada
        estresante preocupada preocupados preocupante preocupación asustada miedoso
        terror aterrador aterradora pánico nervioso nerviosa pesadilla pesadillas
        muere mueren morirme morirse muriendo murieron mataron matar mato mata matan
        asesinada asesinadas asesinatos disparos tiroteo explosión bomba bombas
        incendio incendios terremoto inundación inundaciones accidentes heridas
        herido herida enfermo enferma enfermos enfermas enfermedades dolores
        hospital urgencias operación fiebre gripe resfriado tos vomitar vómito
        hambre sed frío calorazo sueño madrugar madrugón exámenes examen suspendido
        suspendida suspenso suspensos suspender suspendí lunes despedido despedida
        despiden paro parado desempleo pobre pobres pobreza crisis deuda deudas
        impuestos subida subidas recorte recortes corrupción corruptos chorizos
        chorizo mangantes ladrones robar roba robando robaron robó atraco
        cancelan canceló cancelaron retrasado retrasada retrasan retrasó tardan
        tardaron tarda espero_que_no averiado averiada
        estropeado estropeada estropeó roto rota rotos rotas rompió caída caído
        falla fallan falló fallando bug bugs lag cuelga colgado colgada bloqueado
        bloqueada perdí perdimos perdieron pierde pierden perdiendo perder derrota
        eliminados eliminado eliminada descenso decepcionante decepcionada
        decepcionados decepciona decepcionó desilusionado desilusionada arrepiento
        arrepentido arrepentida culpa culpable lamento lamentablemente
        desgraciadamente desafortunadamente sola solos soledad abandonado abandonada
        ignorado ignorada ignoran ignora rechazo rechazado rechazada odiosa odiosos
        insulto insultos insultar insulta machismo machista racista racismo
        homofobia violencia violador violación acoso acosador maltrato abuso"""),
    # --- strongly negative ------------------------------------------------------------------
    (-3.0, "adj", """horrible terrible pésimo fatal asqueroso repugnante vomitivo nefasto
        desastroso deplorable lamentable vergonzoso indignante patético ridículo
        espantoso horroroso odioso insoportable inaguantable penosísimo malísimo
         detestable miserable cruel violento criminal corrupto estúpido
        idiota imbécil tonto gilipollas subnormal retrasado payaso inútil mierdoso
        cabrón maldito jodido puto asco"""),
    (-3.0, "word", """asco ascazo odio odios mierda mierdas joder jodido jodida jodidos
        puta putas puto putos hostia hostias coño cojones carajo verga pinche pinches
        chingada mamada mamadas hdp ctm gilipollas imbécil imbéciles idiota idiotas
        estúpido estúpida estúpidos tonto tonta tontos tontas subnormal subnormales
        payaso payasos cabrón cabrones cabrona capullo capullos mamón pendejo pendeja
        pendejos pendejada huevón boludo ladrón ladrones ladrona sinvergüenza
        sinvergüenzas vergüenza vergonzoso basura basuras escoria porquería
        desastre desastres catástrofe estafadores estafador horrible horribles
        terrible terribles pésimo pésima pésimos pésimas fatal fatales maldito maldita
        malditos maldición muerte muertes asesinos terroristas terrorismo nazi fachas
        facha puaj asqueroso asquerosa asquerosos"""),
)

def _forms(kind: str, lemma: str) -> list[str]:
    if kind == "word":
        return [lemma.replace("_", " ")] if "_" not in lemma else []
    if kind == "noun":
        if lemma[-1] in "aeiouáéó":
            return [lemma, lemma + "s"]
        if lemma.endswith("ón"):
            return [lemma, lemma[:-2] + "ones"]
        return [lemma, lemma + "es"]
    # adjectives and participles
    if lemma.endswith("o"):
        stem = lemma[:-1]
        return [lemma, stem + "a", stem + "os", stem + "as"]
    if lemma.endswith("e"):
        return [lemma, lemma + "s"]
    if lemma.endswith("ón"):
        return [lemma, lemma[:-2] + "ona", lemma[:-2] + "ones", lemma[:-2] + "onas"]
    if lemma.endswith("z"):
        return [lemma, lemma[:-1] + "ces"]
    if lemma.endswith(("l", "r", "n", "s", "d", "j", "í", "ú")):
        return [lemma, lemma + "es"]
    return [lemma]


def expand() -> dict[str, float]:
    """``{form: valence}``. A form listed in several groups keeps its strongest valence."""
    out: dict[str, float] = {}
    for valence, kind, entries in _GROUPS:
        for lemma in entries.split():
            for form in _forms(kind, lemma):
                old = out.get(form)
                if old is None or abs(valence) > abs(old):
                    out[form] = valence
    return out
