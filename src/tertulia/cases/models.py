"""What cases, leads, the knowledge base and satisfaction surveys store.

A case groups one or more conversations of a brand (any channel) under a number that is
sequential per organization; its history is :class:`CaseEvent`. A lead is a sales
opportunity born from a green-flag conversation. Articles are the brand's knowledge base, per
language. A survey is sent once per case after it is resolved. Every mutation goes through
``actions.py``; the pure modules beside this one (``timeline``, ``ranking``, ``markdown``,
``csat``) decide.
"""

from __future__ import annotations

from typing import ClassVar

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tertulia.engagement.models import Conversation, ConversationItem, Customer, Priority, Reply
from tertulia.governance.models import Brand, Organization, User
from tertulia.listening.models import Query


class Department(models.TextChoices):
    MARKETING = "marketing", _("marketing")
    PR = "pr", _("PR")
    SALES = "sales", _("sales")
    SERVICE = "service", _("customer service")


class CaseType(models.TextChoices):
    QUESTION = "question", _("question")
    COMPLAINT = "complaint", _("complaint")
    INCIDENT = "incident", _("incident")
    REQUEST = "request", _("request")
    OPPORTUNITY = "opportunity", _("sales opportunity")
    FEEDBACK = "feedback", _("feedback")
    OTHER = "other", _("other")


class CaseStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("case status", "open")
    PENDING = "pending", pgettext_lazy("case status", "pending")
    RESOLVED = "resolved", pgettext_lazy("case status", "resolved")
    CLOSED = "closed", pgettext_lazy("case status", "closed")


class Outcome(models.TextChoices):
    NONE = "", _("no outcome yet")
    SOLVED = "solved", _("solved")
    WORKAROUND = "workaround", _("workaround given")
    NOT_SOLVED = "not_solved", _("not solved")
    DUPLICATE = "duplicate", _("duplicate")
    NO_RESPONSE = "no_response", _("customer stopped answering")
    SALE = "sale", _("sale made")


class CaseCounter(models.Model):
    """The last case number given in an organization; bumped by one atomic UPDATE, whose row
    lock (PostgreSQL) or write lock (SQLite) holds until the new case commits."""

    organization = models.OneToOneField(Organization, on_delete=models.CASCADE,
                                        primary_key=True, related_name="+")
    last_number = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.organization_id}: {self.last_number}"


class Case(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="+")
    number = models.PositiveBigIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=300)
    type = models.CharField(_("type"), max_length=20, choices=CaseType, default=CaseType.QUESTION)
    department = models.CharField(_("department"), max_length=20, choices=Department,
                                  default=Department.SERVICE)
    priority = models.CharField(_("priority"), max_length=10, choices=Priority,
                                default=Priority.NORMAL)
    status = models.CharField(_("status"), max_length=10, choices=CaseStatus,
                              default=CaseStatus.OPEN)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome, blank=True,
                               default=Outcome.NONE)
    customer = models.ForeignKey(Customer, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+")
    owner = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+", verbose_name=_("owner"))
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["organization", "number"], name="case_number_once"),
        ]
        indexes: ClassVar = [
            models.Index(fields=["organization", "status", "updated_at"], name="case_org_status"),
            models.Index(fields=["brand", "status", "updated_at"], name="case_brand_status"),
            models.Index(fields=["brand", "department", "status"], name="case_brand_dept"),
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.title[:60]}"

    @property
    def label(self) -> str:
        """How people and customers refer to it."""
        return f"#{self.number}"


class CaseConversation(models.Model):
    """A conversation belongs to at most one case; a case spans any number of them."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="links")
    conversation = models.OneToOneField(Conversation, on_delete=models.CASCADE,
                                        related_name="case_link")
    linked_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    linked_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.conversation_id} in case {self.case_id}"


class CaseEvent(models.Model):
    """The case's own history; the timeline merges it with its conversations' histories."""

    class Kind(models.TextChoices):
        CREATED = "created", _("case opened")
        LINKED = "linked", _("conversation linked")
        UNLINKED = "unlinked", _("conversation unlinked")
        STATUS = "status", _("status changed")
        RESOLVED = "resolved", _("case resolved")
        REOPENED = "reopened", _("case reopened")
        DEPARTMENT = "department", _("department changed")
        PRIORITY = "priority", _("priority changed")
        TYPE = "type", _("type changed")
        OWNER = "owner", _("owner changed")
        TITLE = "title", _("title changed")
        HANDOFF = "handoff", _("handed off")
        LEAD = "lead", _("lead created")
        CSAT_SENT = "csat_sent", _("satisfaction survey sent")
        CSAT_ANSWERED = "csat_answered", _("satisfaction survey answered")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind)
    actor = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    actor_label = models.CharField(max_length=200)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField()

    class Meta:
        indexes: ClassVar = [
            models.Index(fields=["case", "created_at"], name="case_event_time"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} on case {self.case_id}"


class LeadStage(models.TextChoices):
    NEW = "new", pgettext_lazy("lead stage", "new")
    CONTACTED = "contacted", pgettext_lazy("lead stage", "contacted")
    QUALIFIED = "qualified", pgettext_lazy("lead stage", "qualified")
    WON = "won", pgettext_lazy("lead stage", "won")
    LOST = "lost", pgettext_lazy("lead stage", "lost")


class Lead(models.Model):
    """A sales opportunity. Its source is the network, the conversation and (when listening
    found it) the query; time to first contact runs from the customer's first message to our
    first reply or the move to ``contacted``, whichever came first."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="+")
    conversation = models.OneToOneField(Conversation, on_delete=models.SET_NULL, null=True,
                                        blank=True, related_name="lead")
    case = models.ForeignKey(Case, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="leads")
    customer = models.ForeignKey(Customer, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+")
    name = models.CharField(_("name"), max_length=300)
    source_network = models.CharField(_("network"), max_length=20, blank=True)
    source_query = models.ForeignKey(Query, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("query"))
    owner = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+", verbose_name=_("owner"))
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2, null=True,
                                blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    stage = models.CharField(_("stage"), max_length=12, choices=LeadStage,
                             default=LeadStage.NEW)
    crm_ref = models.CharField(_("CRM reference"), max_length=120, blank=True)
    origin_at = models.DateTimeField()
    contacted_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        indexes: ClassVar = [
            models.Index(fields=["brand", "stage", "created_at"], name="lead_brand_stage"),
            models.Index(fields=["brand", "updated_at", "id"], name="lead_brand_updated"),
        ]

    def __str__(self) -> str:
        return self.name


class Article(models.Model):
    """A knowledge-base article of a brand in one language; the body is Markdown, rendered
    through ``markdown.render`` (escaped, safe links only). Published articles are public."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="+")
    language = models.CharField(_("language"), max_length=8,
                                choices=[("es", "Español"), ("en", "English")])
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text (Markdown)"))
    tags = models.JSONField(_("tags"), default=list, blank=True)
    published = models.BooleanField(_("published"), default=False)
    source_item = models.ForeignKey(ConversationItem, on_delete=models.SET_NULL, null=True,
                                    blank=True, related_name="+")
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering: ClassVar = ["title"]
        indexes: ClassVar = [
            models.Index(fields=["brand", "language", "published"], name="article_brand_lang"),
        ]

    def __str__(self) -> str:
        return self.title


class SurveySettings(models.Model):
    """Whether a brand sends the satisfaction survey after a case is resolved."""

    brand = models.OneToOneField(Brand, on_delete=models.CASCADE, primary_key=True,
                                 related_name="+")
    enabled = models.BooleanField(_("send a satisfaction survey after a case is resolved"),
                                  default=False)
    valid_days = models.PositiveSmallIntegerField(
        _("days the link stays valid"), default=7,
        validators=[MinValueValidator(1), MaxValueValidator(90)])

    def __str__(self) -> str:
        return f"survey settings of {self.brand_id}"


class Survey(models.Model):
    """One satisfaction survey of a case: sent once, answered once (1–5 and a comment)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="+")
    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="survey")
    conversation = models.ForeignKey(Conversation, on_delete=models.SET_NULL, null=True,
                                     related_name="+")
    agent = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    reply = models.ForeignKey(Reply, on_delete=models.SET_NULL, null=True, related_name="+")
    nonce = models.CharField(max_length=32, unique=True)
    language = models.CharField(max_length=8, default="es")
    sent_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    score = models.PositiveSmallIntegerField(
        null=True, validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True)

    class Meta:
        indexes: ClassVar = [
            models.Index(fields=["brand", "sent_at"], name="survey_brand_sent"),
        ]

    def __str__(self) -> str:
        return f"survey of case {self.case_id}"
