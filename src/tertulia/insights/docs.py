"""The metrics reference page (English and Spanish), generated from `metrics.METRICS` and
the period rules, so the page cannot promise what the code does not compute. Pure: no
Django import. Written by `tertulia docs generate` (see `tertulia.reference`)."""

from __future__ import annotations

from tertulia.insights import correlation, forecast, ladder
from tertulia.insights.metrics import (
    DAILY_UP_TO_DAYS,
    DEPARTMENT_METRICS,
    GOOD_LABELS,
    HOURLY_UP_TO_DAYS,
    MAX_PERIOD_DAYS,
    METRICS,
    PRESETS,
    UNIT_LABELS,
)

_TEXT = {
    "title": ("# Metrics reference", "# Referencia de métricas"),
    "intro": (
        "Every number on the dashboards and in the reports is one of these metrics, computed "
        "by one function in `tertulia/insights/metrics.py`. They are computed from "
        "**rollups**: sums of the mentions per brand × query × network × language × "
        "sentiment × flag, per hour (UTC) and per day (in the brand's time zone). A "
        "dashboard reads those sums, never the mentions themselves, so its cost follows "
        "the days shown, not the number of mentions.",
        "Cada número de los paneles y de los informes es una de estas métricas, calculada "
        "por una sola función en `tertulia/insights/metrics.py`. Se calculan a partir de "
        "**agregados**: sumas de las menciones por marca × consulta × red × idioma × "
        "sentimiento × bandera, por hora (UTC) y por día (en la zona horaria de la marca). "
        "Un panel lee esas sumas, nunca las menciones, así que su coste depende de los días "
        "mostrados, no del número de menciones.",
    ),
    "scope": (
        "A brand's **own mentions** are the distinct mentions matched by any of its queries "
        "except competitor queries; a mention matched by two of them counts once. Each "
        "competitor query is one competitor for share of voice. Hidden mentions (deleted "
        "upstream or erased) are not counted. Spam counts like any other mention, as in the "
        "mention stream, so a number and the stream behind it always agree.",
        "Las **menciones propias** de una marca son las menciones distintas que encajan con "
        "cualquiera de sus consultas salvo las de competidores; una mención que encaja con "
        "dos cuenta una vez. Cada consulta de competidor es un competidor para la cuota de "
        "conversación. Las menciones ocultas (borradas en origen o suprimidas) no cuentan. "
        "El spam cuenta como cualquier otra mención, igual que en el flujo de menciones, "
        "así que un número y el flujo que hay detrás siempre coinciden.",
    ),
    "metrics": ("## Metrics", "## Métricas"),
    "formula": ("Formula", "Fórmula"),
    "unit": ("Unit", "Unidad"),
    "good": ("Good direction", "Dirección buena"),
    "missing": ("Missing data", "Datos que faltan"),
    "periods": ("## Periods and comparisons", "## Periodos y comparaciones"),
    "periods_text": (
        "A period is a run of whole days in the **brand's time zone** (a brand's setting), "
        f"at most {MAX_PERIOD_DAYS} days. Named periods:",
        "Un periodo es una serie de días completos en la **zona horaria de la marca** (un "
        f"ajuste de la marca), de {MAX_PERIOD_DAYS} días como mucho. Periodos con nombre:",
    ),
    "compare": (
        "Each period can be compared with **the previous period** (the same number of days "
        "just before) or with **the same period last year** (the same calendar days a year "
        "earlier; 29 February becomes the 28th). A change is shown as a percentage for "
        "counts, in percentage points (pp) for percentages and in points for net sentiment; "
        "it is marked good or bad by the metric's good direction. When the comparison value "
        "is 0 a relative change cannot be computed and is shown as *new* or —.",
        "Cada periodo puede compararse con **el periodo anterior** (el mismo número de días "
        "justo antes) o con **el mismo periodo del año pasado** (los mismos días del "
        "calendario un año antes; el 29 de febrero pasa a ser el 28). El cambio se muestra en "
        "porcentaje para los recuentos, en puntos porcentuales (pp) para los porcentajes y en "
        "puntos para el sentimiento neto; se marca como bueno o malo según la dirección buena "
        "de la métrica. Si el valor de comparación es 0, el cambio relativo no se puede "
        "calcular y se muestra *nuevo* o —.",
    ),
    "grain": (
        f"Charts over time show hours for periods of up to {HOURLY_UP_TO_DAYS} days, days up "
        f"to {DAILY_UP_TO_DAYS} days and weeks (named by their Monday) beyond. Hours are "
        "labelled in the brand's time zone.",
        f"Los gráficos en el tiempo muestran horas en periodos de hasta {HOURLY_UP_TO_DAYS} "
        f"días, días hasta {DAILY_UP_TO_DAYS} días y semanas (con el nombre de su lunes) a "
        "partir de ahí. Las horas se rotulan en la zona horaria de la marca.",
    ),
    "departments": ("## Department metrics", "## Métricas de los departamentos"),
    "departments_text": (
        "The marketing, sales and customer-service dashboards add these. They are computed "
        "from owned-account days (the posts the brand's own accounts wrote, their "
        "interactions and follower counts), from the inbox's conversations and from the "
        "imported business data (daily figures per brand and campaign).",
        "Los paneles de marketing, ventas y atención al cliente añaden estas. Se calculan a "
        "partir de los días de las cuentas propias (lo que publicaron las cuentas de la "
        "marca, sus interacciones y seguidores), de las conversaciones de la bandeja y de "
        "los datos de negocio importados (cifras diarias por marca y campaña).",
    ),
    "ladder": ("## The engagement ladder", "## La escalera de compromiso"),
    "ladder_text": (
        "Each author active in the period is placed on one stage from their history over "
        f"the {ladder.LOOKBACK_DAYS} days up to the end of the period: **unaware** (talked "
        "only about competitors), **interested** (mentioned the brand, but competitors at "
        "least as much), **first-time participant** (one day with the brand, in the "
        f"period), **regular** (at least {ladder.REGULAR_MIN_DAYS} days with the brand), "
        f"**enthusiast** (at least {ladder.ENTHUSIAST_MIN_DAYS} days with the brand, "
        f"{ladder.ENTHUSIAST_MIN_PERIOD_DAYS} of them in the period, and at least "
        f"{ladder.ENTHUSIAST_MIN_INTERACTIONS:g} interaction per mention on average).",
        "Cada autor activo en el periodo se coloca en un peldaño según su historia en los "
        f"{ladder.LOOKBACK_DAYS} días hasta el final del periodo: **no nos conoce** (solo "
        "habló de competidores), **interesado** (mencionó la marca, pero a los competidores "
        "al menos lo mismo), **participa por primera vez** (un solo día con la marca, dentro "
        f"del periodo), **habitual** (al menos {ladder.REGULAR_MIN_DAYS} días con la marca), "
        f"**entusiasta** (al menos {ladder.ENTHUSIAST_MIN_DAYS} días con la marca, "
        f"{ladder.ENTHUSIAST_MIN_PERIOD_DAYS} de ellos en el periodo, y al menos "
        f"{ladder.ENTHUSIAST_MIN_INTERACTIONS:g} interacción por mención de media).",
    ),
    "lag": ("## Lag correlation", "## Correlación con desfase"),
    "lag_text": (
        "A social series on day d is paired with a business series on day d + lag, for lags "
        f"from −{correlation.MAX_LAG} to +{correlation.MAX_LAG} days, over the days where "
        "both have a value (a missing day is left out, never taken as 0). For each lag: "
        "Pearson's r, Spearman's ρ (ranks), n and a two-sided p-value (Fisher z). With fewer "
        f"than {correlation.MIN_PAIRS} common days nothing is computed. The reading calls a "
        f"relation clear only when |r| ≥ {correlation.STRONG_R:g} and p × (lags tested) < "
        f"{correlation.SIGNIFICANT_P:g} (Bonferroni), and always recalls that correlation is "
        "not causation and that the best of many lags flatters.",
        "Una serie social en el día d se empareja con una de negocio en el día d + desfase, "
        f"para desfases de −{correlation.MAX_LAG} a +{correlation.MAX_LAG} días, sobre los "
        "días en que ambas tienen valor (un día sin dato se deja fuera, nunca cuenta como "
        "0). Para cada desfase: r de Pearson, ρ de Spearman (rangos), n y un valor p "
        f"bilateral (z de Fisher). Con menos de {correlation.MIN_PAIRS} días comunes no se "
        "calcula nada. La lectura solo llama clara a una relación con |r| ≥ "
        f"{correlation.STRONG_R:g} y p × (desfases probados) < {correlation.SIGNIFICANT_P:g} "
        "(Bonferroni), y siempre recuerda que correlación no es causalidad y que el mejor de "
        "muchos desfases favorece.",
    ),
    "forecast": ("## Contact-volume forecast", "## Pronóstico del volumen de contactos"),
    "forecast_text": (
        "Daily conversations per channel are forecast by two models, a seasonal naive one "
        "(same weekday last week) and additive Holt-Winters with a weekly season; the one "
        "with the lower error when forecasting each of the last "
        f"{2 * forecast.WEEKLY} days from the days before it wins, and that error is shown. "
        "Hourly series use a daily season (24 h), or a weekly one (168 h) with three weeks "
        "of history.",
        "Las conversaciones diarias por canal se pronostican con dos modelos, uno estacional "
        "ingenuo (el mismo día de la semana anterior) y Holt-Winters aditivo con estación "
        "semanal; gana el que menos se equivoca al pronosticar cada uno de los últimos "
        f"{2 * forecast.WEEKLY} días a partir de los anteriores, y se muestra ese error. Las "
        "series horarias usan una estación diaria (24 h), o semanal (168 h) con tres "
        "semanas de historia.",
    ),
    "upkeep": ("## How the rollups are kept", "## Cómo se mantienen los agregados"),
    "upkeep_text": (
        "Each ingest batch updates the rollups inside its own transaction: new mentions add "
        "their counts; a mention delivered again adds only the change of its likes, "
        "comments, shares and views, so it is never counted twice. A correction of "
        "sentiment or flag moves the mention between buckets. A query applied again to the "
        "stored mentions, a deleted query or a brand moved to another time zone rebuilds that "
        "brand in the background. Any range can be rebuilt from the mentions, as often as "
        "wanted:\n\n```bash\ntertulia rollups rebuild --org SLUG [--since YYYY-MM-DD] "
        "[--until YYYY-MM-DD]\n```",
        "Cada lote de ingesta actualiza los agregados dentro de su propia transacción: las "
        "menciones nuevas suman sus recuentos; una mención que llega de nuevo suma solo el "
        "cambio de sus me gusta, comentarios, compartidos y visualizaciones, así que nunca "
        "cuenta dos veces. Una corrección de sentimiento o bandera mueve la mención de "
        "casilla. Una consulta aplicada de nuevo a las menciones guardadas, una consulta "
        "borrada o una marca que cambia de zona horaria reconstruye esa marca en segundo "
        "plano. Cualquier intervalo puede reconstruirse a partir de las menciones, tantas "
        "veces como se quiera:\n\n```bash\ntertulia rollups rebuild --org SLUG "
        "[--since AAAA-MM-DD] [--until AAAA-MM-DD]\n```",
    ),
}


def metrics_page(lang: str) -> str:
    from tertulia.reference import GENERATED

    i = 1 if lang == "es" else 0

    def t(key: str) -> str:
        return _TEXT[key][i]

    lines = [GENERATED, t("title"), "", t("intro"), "", t("scope"), "", t("metrics"), ""]
    for metric in METRICS:
        lines += [
            f"### {metric.label(lang)} (`{metric.key}`)", "",
            f"- **{t('formula')}:** {metric.formula_es if i else metric.formula_en}",
            f"- **{t('unit')}:** {UNIT_LABELS[metric.unit][i]}",
            f"- **{t('good')}:** {GOOD_LABELS[metric.good][i]}",
            f"- **{t('missing')}:** {metric.missing_es if i else metric.missing_en}",
            "",
        ]
    lines += [t("departments"), "", t("departments_text"), ""]
    for metric in DEPARTMENT_METRICS:
        lines += [
            f"### {metric.label(lang)} (`{metric.key}`)", "",
            f"- **{t('formula')}:** {metric.formula_es if i else metric.formula_en}",
            f"- **{t('unit')}:** {UNIT_LABELS[metric.unit][i]}",
            f"- **{t('good')}:** {GOOD_LABELS[metric.good][i]}",
            f"- **{t('missing')}:** {metric.missing_es if i else metric.missing_en}",
            "",
        ]
    lines += [t("ladder"), "", t("ladder_text"), "", t("lag"), "", t("lag_text"), "",
              t("forecast"), "", t("forecast_text"), ""]
    lines += [t("periods"), "", t("periods_text"), ""]
    lines += [f"- `{key}`: {labels[i]}" for key, labels in PRESETS.items()]
    lines += ["", t("compare"), "", t("grain"), "", t("upkeep"), "", t("upkeep_text")]
    return "\n".join(lines) + "\n"
