"""The demo brands' inbox: business hours, SLA policies, the response guideline, reply
templates in Spanish and English, and a few routing rules. Running it twice changes nothing,
and it never overwrites what a person edited."""

from __future__ import annotations

from typing import Any

from tertulia.engagement import actions
from tertulia.engagement.brandconf import settings_for
from tertulia.engagement.models import GuidelineEntry, ReplyTemplate, Rule, SlaPolicy
from tertulia.governance.audit import Actor
from tertulia.governance.models import Brand, Organization, Team

ACTOR = Actor.system("demo")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")

# brand slug -> (weekly hours, holidays, VIP handles)
HOURS: dict[str, tuple[dict[str, list[str]], list[str], list[str]]] = {
    "cafe-aurora": (
        {**{d: ["09:00-14:00", "15:00-19:00"] for d in WEEKDAYS}, "sat": ["10:00-14:00"]},
        ["2026-12-08", "2026-12-25", "2027-01-01", "2027-01-06"],
        ["@martagastro", "@cafeconleche_blog"],
    ),
    "aurora-roasters": (
        {d: ["09:00-17:00"] for d in WEEKDAYS},
        ["2026-11-26", "2026-12-25", "2027-01-01"],
        ["@beanreview"],
    ),
    "aurora-express": (
        {d: ["08:00-22:00"] for d in (*WEEKDAYS, "sat", "sun")},
        ["2026-12-12", "2026-12-25", "2027-01-01"],
        [],
    ),
}

# priority -> (first response minutes, resolution minutes, warn before minutes)
SLA = {"urgent": (15, 240, 5), "high": (60, 480, 15), "normal": (240, 1440, 30),
       "low": (480, 2880, 60)}

GUIDELINE: dict[str, dict[str, tuple[str, str]]] = {
    "es": {
        "none": ("Sin bandera: menciones informativas o conversación general.",
                 "Responder si aporta valor; no requiere seguimiento."),
        "note": ("Nota importante: algo que el equipo debe saber (prensa, riesgo, una idea).",
                 "Leerla y compartirla con el equipo responsable; no exige respuesta pública."),
        "green": ("Oportunidad de venta: interés en comprar, precios, pedidos de empresa.",
                  "Pasar a Ventas y responder en menos de una hora con la información o el "
                  "contacto comercial."),
        "yellow": ("Incidencia de servicio: queja o duda de un cliente.",
                   "Atención al cliente responde directamente al cliente; por privado si hacen "
                   "falta datos personales."),
        "red": ("Mensaje público crítico: crisis, acusación grave o cliente muy influyente.",
                "Responder en público e individualmente, y escalar a PR y a la responsable "
                "de marca."),
        "spam": ("Spam o fraude.", "Ocultar; borrar u ocultar en la red cuando lo permita."),
    },
    "en": {
        "none": ("No flag: informative mentions or general chat.",
                 "Answer when it adds value; no follow-up needed."),
        "note": ("Important note: something the team should know (press, a risk, an idea).",
                 "Read it and share it with the team in charge; no public answer required."),
        "green": ("Sales opportunity: wants to buy, asks for prices, business orders.",
                  "Hand it to Sales and answer within an hour with the information or a sales "
                  "contact."),
        "yellow": ("Service issue: a customer's complaint or question.",
                   "Customer service answers the customer directly; privately when personal "
                   "data is needed."),
        "red": ("Critical public message: a crisis, a serious accusation or a very influential "
                "customer.", "Answer publicly and individually, and escalate to PR and the "
                             "brand manager."),
        "spam": ("Spam or fraud.", "Hide it; delete or hide it on the network where it "
                                   "allows."),
    },
}
GUIDELINE_TEAMS = {"green": "Ventas", "yellow": "Atención al cliente",
                   "red": "PR y Comunicación"}

# (key, flag, {language: (name, body)})
TEMPLATES: tuple[tuple[str, str, dict[str, tuple[str, str]]], ...] = (
    ("ack-after-hours", "", {
        "es": ("Acuse fuera de horario",
               "Hola {customer_name}, gracias por escribirnos. Ahora estamos fuera de horario "
               "y te responderemos en cuanto abramos. Tu caso es el {case_number}."),
        "en": ("After-hours acknowledgement",
               "Hi {customer_name}, thanks for writing to us. We are closed right now and "
               "will answer as soon as we open. Your case number is {case_number}."),
    }),
    ("thanks", "", {
        "es": ("Agradecimiento", "¡Gracias, {customer_name}! Nos alegra mucho leerte. "
                                 "— {agent_name}, {brand_name}"),
        "en": ("Thanks", "Thank you, {customer_name}! We love hearing this. "
                         "— {agent_name}, {brand_name}"),
    }),
    ("service-apology", "yellow", {
        "es": ("Disculpa de servicio",
               "Hola {customer_name}, sentimos mucho lo ocurrido. Soy {agent_name}, de "
               "{brand_name}: ¿nos escribes por privado tu número de pedido? Caso "
               "{case_number}."),
        "en": ("Service apology",
               "Hi {customer_name}, we are sorry about this. I'm {agent_name} from "
               "{brand_name}: could you send us your order number in a private message? "
               "Case {case_number}."),
    }),
    ("sales-info", "green", {
        "es": ("Información comercial",
               "¡Hola {customer_name}! Gracias por tu interés. Aquí tienes toda la "
               "información: {link}. Soy {agent_name}, para cualquier duda."),
        "en": ("Sales information",
               "Hi {customer_name}! Thanks for your interest. Everything you need is here: "
               "{link}. I'm {agent_name}, happy to help with anything else."),
    }),
    ("critical-public", "red", {
        "es": ("Respuesta pública crítica",
               "Hola {customer_name}, lamentamos lo ocurrido y ya lo estamos investigando. Te "
               "escribimos por privado para resolverlo personalmente. — {agent_name}, "
               "{brand_name}"),
        "en": ("Critical public answer",
               "Hi {customer_name}, we are sorry about what happened and are looking into it "
               "now. We'll message you privately to sort it out personally. — {agent_name}, "
               "{brand_name}"),
    }),
)

_CREATED = {"field": "event", "op": "eq", "value": "created"}


def demo_rules(channels: list[str]) -> list[dict[str, Any]]:
    """The demo rules of a brand whose owned channels are ``channels``."""
    owned = ({"field": "account_id", "op": "in", "value": channels} if channels
             else {"field": "network", "op": "eq", "value": "demo"})
    return [
        {"id": "spam-hide", "name": "Spam: ocultar / hide", "order": 10,
         "conditions": {"all": [_CREATED, {"field": "flag", "op": "eq", "value": "spam"}]},
         "actions": [{"type": "hide", "reason": "spam"}], "stop_processing": True},
        {"id": "vip-urgent", "name": "VIP e influyentes / VIPs and influencers", "order": 20,
         "conditions": {"all": [_CREATED, {"any": [
             {"field": "is_vip", "op": "is_true"},
             {"field": "author_followers", "op": "gte", "value": 50000}]}]},
         "actions": [{"type": "set_priority", "value": "urgent"},
                     {"type": "add_tags", "value": ["vip"]},
                     {"type": "notify", "to": ["team:PR y Comunicación"],
                      "message": "VIP / influencer en la bandeja"}]},
        {"id": "red-escalate", "name": "Roja: escalar / red: escalate", "order": 30,
         "conditions": {"all": [_CREATED, {"field": "flag", "op": "eq", "value": "red"}]},
         "actions": [{"type": "set_priority", "value": "high"},
                     {"type": "escalate", "to": "team:PR y Comunicación",
                      "reason": "Mensaje público crítico"}]},
        {"id": "yellow-service", "name": "Amarilla → Atención al cliente", "order": 40,
         "conditions": {"all": [_CREATED, {"field": "flag", "op": "eq", "value": "yellow"}]},
         "actions": [{"type": "assign", "team": "Atención al cliente",
                      "strategy": "least_busy"}, {"type": "add_tags", "value": ["servicio"]}]},
        {"id": "green-sales", "name": "Verde → Ventas", "order": 50,
         "conditions": {"all": [_CREATED, {"field": "flag", "op": "eq", "value": "green"}]},
         "actions": [{"type": "assign", "team": "Ventas", "strategy": "round_robin"},
                     {"type": "add_tags", "value": ["venta"]}]},
        {"id": "after-hours-ack", "name": "Acuse fuera de horario / after-hours", "order": 60,
         "conditions": {"all": [_CREATED, {"op": "business_hours", "value": "closed"},
                                owned]},
         "actions": [{"type": "auto_acknowledge", "template_id": "ack-after-hours"}]},
        {"id": "pull-loud-complaints", "name": "Quejas con mucho alcance / loud complaints",
         "order": 70,
         "conditions": {"all": [_CREATED, {"field": "sentiment", "op": "eq",
                                           "value": "negative"},
                                {"field": "author_followers", "op": "gte", "value": 10000}]},
         "actions": [{"type": "pull_into_inbox"}, {"type": "add_tags", "value": ["alcance"]}]},
        {"id": "sla-breach", "name": "SLA incumplido / SLA breached", "order": 100,
         "conditions": {"all": [{"field": "event", "op": "eq", "value": "sla_breach"}]},
         "actions": [{"type": "raise_priority"},
                     {"type": "escalate", "to": "team:Atención al cliente",
                      "reason": "SLA incumplido / SLA breached"}]},
    ]


def seed_engagement(org: Organization) -> None:
    """Create what is missing of the demo brands' inbox settings."""
    teams = {t.name: t for t in Team.objects.filter(organization=org)}
    for brand in Brand.objects.filter(organization=org):
        _seed_brand(brand, teams)


def _seed_brand(brand: Brand, teams: dict[str, Team]) -> None:
    settings = settings_for(brand)
    hours = HOURS.get(brand.slug)
    if hours is not None and settings.rules_version == 0:
        actions.do_save_inbox_settings(brand, business_hours=hours[0], holidays=hours[1],
                                       vip_handles=hours[2], actor=ACTOR)
    for priority, (first, resolution, warn) in SLA.items():
        if not SlaPolicy.objects.filter(brand=brand, priority=priority).exists():
            actions.do_save_sla_policy(brand, priority, first_response_s=first * 60,
                                       resolution_s=resolution * 60, warn_before_s=warn * 60,
                                       actor=ACTOR)
    texts = GUIDELINE["es" if brand.language == "es" else "en"]
    for flag, (meaning, action) in texts.items():
        if not GuidelineEntry.objects.filter(brand=brand, flag=flag).exists():
            actions.do_save_guideline(brand, flag, meaning=meaning, expected_action=action,
                                      team=teams.get(GUIDELINE_TEAMS.get(flag, "")), actor=ACTOR)
    for key, flag, by_language in TEMPLATES:
        for language, (name, body) in by_language.items():
            if not ReplyTemplate.objects.filter(brand=brand, key=key,
                                                language=language).exists():
                actions.do_save_template(brand, key=key, name=name, flag=flag,
                                         language=language, body=body, actor=ACTOR)
    channels = [f"{a.network}:{a.handle}" for a in brand.accounts.all()]
    for data in demo_rules(channels):
        if not Rule.objects.filter(brand=brand, key=data["id"]).exists():
            actions.do_save_rule(brand, data, actor=ACTOR)
