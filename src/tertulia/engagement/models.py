"""What the inbox stores: conversations and their items, customers, notes, history, the reply
outbox, and each brand's rules, SLA policies, guideline and reply templates.

The pure modules beside this one (``status``, ``sla``, ``rules``, ``templates``, ``calendar``,
``influence``, ``reply_rules``) decide; these models only remember. Every mutation goes
through ``actions.py``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tertulia.engagement import sla as sla_core
from tertulia.engagement.status import Status
from tertulia.governance.models import Brand, Organization, Team, User
from tertulia.listening.models import Author, Mention


class ConversationStatus(models.TextChoices):
    NEW = Status.NEW.value, _("new")
    OPEN = Status.OPEN.value, _("open")
    PENDING = Status.PENDING.value, _("pending")
    SNOOZED = Status.SNOOZED.value, _("snoozed")
    RESOLVED = Status.RESOLVED.value, _("resolved")
    CLOSED = Status.CLOSED.value, _("closed")


class Priority(models.TextChoices):
    """Values match ``rules.PRIORITIES``, lowest first."""

    LOW = "low", _("low")
    NORMAL = "normal", _("normal")
    HIGH = "high", _("high")
    URGENT = "urgent", _("urgent")


class Flag(models.TextChoices):
    """The response guideline's flags. The text models suggest all but ``note``."""

    NONE = "none", _("no flag")
    NOTE = "note", _("important note")
    GREEN = "green", _("green")
    YELLOW = "yellow", _("yellow")
    RED = "red", _("red")
    SPAM = "spam", _("spam")


class Queue(models.TextChoices):
    """Where a conversation sits in the inbox; one indexed column the default views filter on.

    ``open`` holds new and open conversations (someone must act), ``done`` resolved and closed
    ones, ``hidden`` anything hidden as spam whatever its status.
    """

    OPEN = "open", _("open")
    PENDING = "pending", _("pending")
    SNOOZED = "snoozed", _("snoozed")
    DONE = "done", _("done")
    HIDDEN = "hidden", _("hidden")


class SlaState(models.TextChoices):
    NONE = "none", _("no SLA")
    OK = sla_core.SlaState.OK.value, _("on time")
    WARNING = sla_core.SlaState.WARNING.value, _("at risk")
    BREACHED = sla_core.SlaState.BREACHED.value, _("breached")
    PAUSED = sla_core.SlaState.PAUSED.value, _("paused")
    MET = sla_core.SlaState.MET.value, _("met")


def queue_for(status: str, hidden: bool) -> str:
    if hidden:
        return Queue.HIDDEN
    return {
        Status.NEW: Queue.OPEN, Status.OPEN: Queue.OPEN, Status.PENDING: Queue.PENDING,
        Status.SNOOZED: Queue.SNOOZED, Status.RESOLVED: Queue.DONE, Status.CLOSED: Queue.DONE,
    }[Status(status)]


DEFAULT_HOURS = {d: ["09:00-18:00"] for d in ("mon", "tue", "wed", "thu", "fri")}


def _default_hours() -> dict[str, list[str]]:
    return {d: list(v) for d, v in DEFAULT_HOURS.items()}


class BrandInbox(models.Model):
    """A brand's inbox settings: business hours (in the brand's time zone), holidays, the VIP
    list rules can test, and a version bumped whenever its rules change (compiled rules are
    cached per version)."""

    brand = models.OneToOneField(Brand, on_delete=models.CASCADE, primary_key=True,
                                 related_name="inbox_settings")
    business_hours = models.JSONField(_("business hours"), default=_default_hours)
    holidays = models.JSONField(_("holidays"), default=list, blank=True)
    vip_handles = models.JSONField(_("VIP list"), default=list, blank=True)
    replies_need_approval = models.BooleanField(_("replies need approval"), default=False)
    # Role names (``agent``, ``brand_manager``…) and ``agency`` (anyone acting through an
    # agency grant) whose replies wait for an approver when ``replies_need_approval`` is on.
    approval_roles = models.JSONField(_("roles that need approval"), default=list, blank=True)
    reply_to_email = models.EmailField(_("reply-to address for e-mail"), blank=True)
    rules_version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"inbox settings of {self.brand_id}"


class Customer(models.Model):
    """One person, whatever networks they write from: handles link here."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=512, blank=True)
    # ``customer_match.normalise_name(name)``, kept by ``save()``: merge suggestions look
    # candidates up by it (accents and case ignored) on an index.
    name_key = models.CharField(max_length=512, blank=True, editable=False)
    email = models.EmailField(_("e-mail"), blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    segment = models.CharField(_("segment"), max_length=60, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    website = models.URLField(_("website"), max_length=500, blank=True)
    company = models.CharField(_("company"), max_length=200, blank=True)
    crm_id = models.CharField(_("CRM id"), max_length=120, blank=True)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    bio_links = models.JSONField(_("links in bio"), default=list, blank=True)
    # A customer merged into another keeps its row (so the merge can be undone exactly) but
    # owns nothing while merged: its handles and conversations belong to ``merged_into``.
    merged_into = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    is_vip = models.BooleanField(_("VIP"), default=False)
    followers = models.BigIntegerField(default=0)
    verified = models.BooleanField(default=False)
    engagement_received = models.BigIntegerField(default=0)
    reach_about_us = models.BigIntegerField(default=0)
    influence = models.FloatField(_("influence"), default=0.0)
    first_seen_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()

    class Meta:
        indexes: ClassVar = [
            models.Index(fields=["organization", "name"], name="customer_org_name"),
            models.Index(fields=["organization", "email"], name="customer_org_email"),
            models.Index(fields=["organization", "name_key"], name="customer_org_name_key"),
        ]

    def __str__(self) -> str:
        return self.name or f"customer {self.pk}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        from tertulia.engagement.customer_match import normalise_name

        self.name_key = normalise_name(self.name)[:512]
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_key"}
        super().save(*args, **kwargs)


class CustomerHandle(models.Model):
    """An author (one handle on one network) belongs to at most one customer."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="handles")
    author = models.OneToOneField(Author, on_delete=models.CASCADE, related_name="customer_link")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.author_id}→{self.customer_id}"


class Conversation(models.Model):
    """A thread with one customer on one channel of one brand.

    The SLA clock is stored column by column (``sla_*`` map :class:`sla.SlaClock`);
    ``first_response_at`` and ``resolved_at`` are the clock's own fields too. ``sla_state``,
    ``sla_warn_at`` and ``sla_due_at`` are what the inbox filters and sorts on; the
    scheduler keeps them true through :class:`SlaDeadline` rows.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="+")
    network = models.CharField(max_length=20)
    channel = models.CharField(max_length=256, blank=True)
    thread_key = models.CharField(max_length=600)
    kind = models.CharField(max_length=20, blank=True)
    customer = models.ForeignKey(Customer, on_delete=models.SET_NULL, null=True,
                                 related_name="conversations")
    subject = models.CharField(max_length=300, blank=True)
    preview = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=ConversationStatus,
                              default=ConversationStatus.NEW)
    queue = models.CharField(max_length=10, choices=Queue, default=Queue.OPEN)
    hidden = models.BooleanField(default=False)
    priority = models.CharField(max_length=10, choices=Priority, default=Priority.NORMAL)
    flag = models.CharField(max_length=10, choices=Flag, default=Flag.NONE)
    model_flag = models.CharField(max_length=10, blank=True)
    model_flag_confidence = models.FloatField(default=0.0)
    flag_confirmed = models.BooleanField(default=False)
    sentiment = models.CharField(max_length=10, default="neutral")
    language = models.CharField(max_length=8, blank=True)
    assignee = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+")
    team = models.ForeignKey(Team, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+")
    snoozed_until = models.DateTimeField(null=True, blank=True)
    message_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    last_message_at = models.DateTimeField()
    last_customer_message_at = models.DateTimeField(null=True)
    first_response_at = models.DateTimeField(null=True)
    resolved_at = models.DateTimeField(null=True)
    closed_at = models.DateTimeField(null=True)
    sla_started_at = models.DateTimeField(null=True)
    sla_elapsed_s = models.BigIntegerField(default=0)
    sla_running_since = models.DateTimeField(null=True)
    sla_paused_since = models.DateTimeField(null=True)
    sla_first_response_business_s = models.BigIntegerField(null=True)
    sla_resolution_business_s = models.BigIntegerField(null=True)
    sla_cycle = models.PositiveIntegerField(default=0)
    sla_state = models.CharField(max_length=10, choices=SlaState, default=SlaState.NONE)
    sla_target = models.CharField(max_length=20, blank=True)
    sla_warn_at = models.DateTimeField(null=True)
    sla_due_at = models.DateTimeField(null=True)

    class Meta:
        constraints: ClassVar = [
            # A closed conversation is final; the customer's next message starts a new one.
            models.UniqueConstraint(fields=["brand", "network", "thread_key"],
                                    condition=~Q(status="closed"),
                                    name="one_live_conversation_per_thread"),
        ]
        # Keyset pages read (last_message_at, id) newest first; each index leads with what a
        # common view pins, so the first page is one short index range.
        indexes: ClassVar = [
            models.Index(fields=["organization", "last_message_at", "id"], name="conv_org_time"),
            models.Index(fields=["organization", "queue", "last_message_at", "id"],
                         name="conv_org_queue"),
            models.Index(fields=["brand", "queue", "last_message_at", "id"],
                         name="conv_brand_queue"),
            models.Index(fields=["assignee", "queue", "last_message_at", "id"],
                         name="conv_assignee_queue"),
            models.Index(fields=["team", "queue", "last_message_at", "id"],
                         name="conv_team_queue"),
            models.Index(fields=["organization", "queue", "flag", "last_message_at", "id"],
                         name="conv_org_flag"),
            models.Index(fields=["organization", "queue", "sla_state", "last_message_at", "id"],
                         name="conv_org_sla"),
            models.Index(fields=["organization", "sla_state", "sla_due_at"],
                         name="conv_org_sla_due"),
            models.Index(fields=["customer", "last_message_at"], name="conv_customer"),
            models.Index(fields=["status", "snoozed_until"], name="conv_snoozed"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.network} {self.thread_key[:40]}"

    @property
    def number(self) -> str:
        """The case number customers and templates see."""
        return f"{self.pk:06d}"

    def clock(self) -> sla_core.SlaClock | None:
        if self.sla_started_at is None:
            return None
        return sla_core.SlaClock(
            started_at=self.sla_started_at, elapsed_business_s=self.sla_elapsed_s,
            running_since=self.sla_running_since, paused_since=self.sla_paused_since,
            first_response_at=self.first_response_at,
            first_response_business_s=self.sla_first_response_business_s,
            resolved_at=self.resolved_at, resolution_business_s=self.sla_resolution_business_s,
            cycle=self.sla_cycle,
        )

    def set_clock(self, clock: sla_core.SlaClock | None) -> None:
        if clock is None:
            return
        self.sla_started_at = clock.started_at
        self.sla_elapsed_s = clock.elapsed_business_s
        self.sla_running_since = clock.running_since
        self.sla_paused_since = clock.paused_since
        self.first_response_at = clock.first_response_at
        self.sla_first_response_business_s = clock.first_response_business_s
        self.resolved_at = clock.resolved_at
        self.sla_resolution_business_s = clock.resolution_business_s
        self.sla_cycle = clock.cycle


class ConversationTag(models.Model):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="tags")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    tag = models.CharField(max_length=60)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["conversation", "tag"], name="conversation_tag_once")
        ]
        indexes: ClassVar = [models.Index(fields=["organization", "tag"], name="conv_tag_org")]

    def __str__(self) -> str:
        return self.tag


class Reply(models.Model):
    """One outbound message, durable: queued → sending → sent | failed | unknown.

    The idempotency key is written with the row, before any network call; a row is moved to
    ``sending`` by an atomic claim, so it is sent at most once. ``unknown`` (the network may or
    may not have it) is never retried by itself: a person decides.
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        UNKNOWN = "unknown", _("outcome unknown")
        AWAITING = "awaiting", _("awaiting approval")
        REJECTED = "rejected", _("rejected")

    class Channel(models.TextChoices):
        NETWORK = "", _("the conversation's network")
        EMAIL = "email", _("e-mail")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE,
                                     related_name="replies")
    in_reply_to = models.ForeignKey(Mention, on_delete=models.SET_NULL, null=True,
                                    related_name="+")
    text = models.TextField()
    private = models.BooleanField(default=False)
    channel = models.CharField(max_length=10, choices=Channel, default=Channel.NETWORK,
                               blank=True)
    to_address = models.CharField(max_length=320, blank=True)
    state = models.CharField(max_length=10, choices=State, default=State.QUEUED)
    idempotency_key = models.CharField(max_length=64, unique=True)
    template_key = models.CharField(max_length=60, blank=True)
    is_automatic = models.BooleanField(default=False)
    external_id = models.CharField(max_length=256, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_by_label = models.CharField(max_length=200)
    created_at = models.DateTimeField()
    sending_at = models.DateTimeField(null=True)
    finished_at = models.DateTimeField(null=True)
    decided_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(blank=True)

    class Meta:
        indexes: ClassVar = [
            models.Index(fields=["state", "created_at"], name="reply_state"),
            models.Index(fields=["organization", "state", "created_at"],
                         name="reply_org_state"),
            models.Index(fields=["conversation", "created_at"], name="reply_conversation"),
        ]

    def __str__(self) -> str:
        return f"reply {self.pk} ({self.state})"


class ConversationItem(models.Model):
    """One message of a conversation: a customer's mention, or our reply.

    ``rule_facts`` are the facts the rules saw when the item arrived and ``rules_fired`` the
    rules that fired then; the dry run replays them, so it shows exactly what live did.
    """

    class Direction(models.TextChoices):
        INBOUND = "in", _("from the customer")
        OUTBOUND = "out", _("from us")

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE,
                                     related_name="items")
    direction = models.CharField(max_length=3, choices=Direction)
    mention = models.ForeignKey(Mention, on_delete=models.CASCADE, null=True, related_name="+")
    reply = models.OneToOneField(Reply, on_delete=models.CASCADE, null=True,
                                 related_name="item")
    created_at = models.DateTimeField()
    evaluated_at = models.DateTimeField(null=True)
    rule_facts = models.JSONField(null=True)
    rules_fired = models.JSONField(default=list)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["conversation", "mention"], name="item_once")
        ]
        indexes: ClassVar = [
            models.Index(fields=["conversation", "created_at"], name="item_conversation_time")
        ]

    def __str__(self) -> str:
        return f"{self.direction} {self.mention_id or self.reply_id}"


class Note(models.Model):
    """An internal note: never leaves tertulia. ``@name`` of a colleague notifies them."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE,
                                     related_name="notes")
    author = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    body = models.TextField()
    mentioned = models.ManyToManyField(User, related_name="+", blank=True)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"note {self.pk}"


class ConversationEvent(models.Model):
    """The conversation's history: every change, by whom (a person, a rule, the scheduler)."""

    class Kind(models.TextChoices):
        CREATED = "created", _("conversation started")
        MESSAGE = "message", _("customer wrote")
        REOPENED = "reopened", _("reopened")
        STATUS = "status", _("status changed")
        SNOOZED = "snoozed", _("snoozed")
        WOKE = "woke", _("snooze ended")
        ASSIGNED = "assigned", _("assigned")
        FLAG = "flag", _("flag changed")
        PRIORITY = "priority", _("priority changed")
        TAGS = "tags", _("tags changed")
        HIDDEN = "hidden", _("hidden")
        NOTE = "note", _("note added")
        RULES = "rules", _("rules applied")
        REPLY_QUEUED = "reply_queued", _("reply queued")
        REPLY_SENT = "reply_sent", _("reply sent")
        REPLY_FAILED = "reply_failed", _("reply failed")
        REPLY_UNKNOWN = "reply_unknown", _("reply outcome unknown")
        SLA_WARNING = "sla_warning", _("SLA at risk")
        SLA_BREACH = "sla_breach", _("SLA breached")
        ESCALATED = "escalated", _("escalated")
        HANDOFF = "handoff", _("handed off")
        REPLY_AWAITING = "reply_awaiting", _("reply awaiting approval")
        REPLY_APPROVED = "reply_approved", _("reply approved")
        REPLY_REJECTED = "reply_rejected", _("reply rejected")
        NETWORK_HIDE = "network_hide", _("hide on the network queued")
        NETWORK_HIDDEN = "network_hidden", _("hidden on the network")
        NETWORK_HIDE_FAILED = "network_hide_failed", _("could not hide on the network")
        CUSTOMER_MERGED = "customer_merged", _("customer merged")

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE,
                                     related_name="events")
    kind = models.CharField(max_length=20, choices=Kind)
    actor = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    actor_label = models.CharField(max_length=200)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField()

    class Meta:
        indexes: ClassVar = [
            models.Index(fields=["conversation", "created_at"], name="event_conversation_time")
        ]

    def __str__(self) -> str:
        return f"{self.kind} on {self.conversation_id}"


class Rule(models.Model):
    """One routing rule of a brand, as the JSON the pure engine reads (``rules.validate_rule``
    checks it on every save)."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="+")
    key = models.SlugField(_("id"), max_length=60)
    name = models.CharField(_("name"), max_length=120)
    order = models.IntegerField(_("order"), default=0)
    enabled = models.BooleanField(_("enabled"), default=True)
    stop_processing = models.BooleanField(_("stop processing"), default=False)
    conditions = models.JSONField(_("conditions"), default=dict)
    actions = models.JSONField(_("actions"), default=list)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering: ClassVar = ["brand", "order", "key"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["brand", "key"], name="rule_key_per_brand")
        ]

    def __str__(self) -> str:
        return self.name

    def as_dict(self) -> dict[str, object]:
        return {"id": self.key, "name": self.name, "order": self.order, "enabled": self.enabled,
                "conditions": self.conditions, "actions": self.actions,
                "stop_processing": self.stop_processing}


class SlaPolicy(models.Model):
    """First-response and resolution targets of one brand and priority, in business seconds."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="+")
    priority = models.CharField(_("priority"), max_length=10, choices=Priority)
    first_response_s = models.PositiveIntegerField(_("first response (business seconds)"))
    resolution_s = models.PositiveIntegerField(_("resolution (business seconds)"))
    warn_before_s = models.PositiveIntegerField(_("warn before (business seconds)"), default=0)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["brand", "priority"], name="sla_policy_per_priority")
        ]

    def __str__(self) -> str:
        return f"SLA {self.priority}"


class SlaDeadline(models.Model):
    """One instant the scheduler must act at (warning or breach of a target in a cycle).

    Unique per (conversation, key); the tick claims due rows atomically, and the claim commits
    with the escalation it caused, so a crash neither loses nor repeats one.
    """

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE,
                                     related_name="sla_deadlines")
    key = models.CharField(max_length=60)
    target = models.CharField(max_length=20)
    kind = models.CharField(max_length=10)
    cycle = models.PositiveIntegerField(default=0)
    due_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["conversation", "key"], name="deadline_once")
        ]
        indexes: ClassVar = [
            models.Index(fields=["due_at"], condition=Q(claimed_at=None),
                         name="deadline_unclaimed_due"),
        ]

    def __str__(self) -> str:
        return f"{self.key} of {self.conversation_id} at {self.due_at:%Y-%m-%d %H:%M}"


class GuidelineEntry(models.Model):
    """What a flag means for this brand, and what a person does about it."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="+")
    flag = models.CharField(_("flag"), max_length=10, choices=Flag)
    meaning = models.TextField(_("what it means"))
    expected_action = models.TextField(_("expected action"))
    team = models.ForeignKey(Team, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+", verbose_name=_("team in charge"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["brand", "flag"], name="guideline_per_flag")
        ]

    def __str__(self) -> str:
        return f"{self.flag}"


class ReplyTemplate(models.Model):
    """A reply template for a flag (empty: generic) in one language; ``key`` is what rules'
    ``auto_acknowledge`` names, shared by the same template's translations."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="+")
    key = models.SlugField(_("id"), max_length=60)
    name = models.CharField(_("name"), max_length=120)
    flag = models.CharField(_("flag"), max_length=10, choices=Flag, blank=True)
    language = models.CharField(_("language"), max_length=8)
    body = models.TextField(_("text"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering: ClassVar = ["flag", "key", "language"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["brand", "key", "language"],
                                    name="template_key_language")
        ]

    def __str__(self) -> str:
        return self.name


class Notification(models.Model):
    """Something a person should see: an @mention in a note, an assignment, an escalation."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, null=True,
                                     related_name="+")
    kind = models.CharField(max_length=20)
    text = models.CharField(max_length=500)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True)

    class Meta:
        indexes: ClassVar = [models.Index(fields=["user", "read_at", "created_at"],
                                          name="notification_unread")]

    def __str__(self) -> str:
        return f"{self.kind} for {self.user_id}"


class AgentActivity(models.Model):
    """When a person last worked in the inbox: "online" for round-robin and least-busy."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, primary_key=True,
                                related_name="+")
    last_seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.user_id} at {self.last_seen_at}"


class TeamRouting(models.Model):
    """Where round-robin stopped in a team."""

    team = models.OneToOneField(Team, on_delete=models.CASCADE, primary_key=True,
                                related_name="+")
    last_assigned = models.ForeignKey(User, on_delete=models.SET_NULL, null=True,
                                      related_name="+")

    def __str__(self) -> str:
        return f"routing of {self.team_id}"


class ConversationViewer(models.Model):
    """Who has a conversation open right now (heartbeat), for collision detection."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE,
                                     related_name="viewers")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField()
    typing = models.BooleanField(default=False)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["conversation", "user"], name="viewer_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} on {self.conversation_id}"


class DemoDelivery(models.Model):
    """What the demo network received from us (there is no real network behind it). Keyed by
    the reply's idempotency key, as a real network's idempotent write would be."""

    idempotency_key = models.CharField(max_length=64, unique=True)
    # "reply", "private", "email" or "hide": what the demo network (or mail) was asked to do.
    action = models.CharField(max_length=10, default="reply")
    network = models.CharField(max_length=20)
    target = models.CharField(max_length=600)
    thread_id = models.CharField(max_length=600, blank=True)
    private = models.BooleanField(default=False)
    text = models.TextField()
    external_id = models.CharField(max_length=64)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.external_id


class ConsentChannel(models.TextChoices):
    EMAIL = "email", _("e-mail")
    SMS = "sms", _("SMS")
    PHONE = "phone", _("phone calls")
    DM = "dm", _("private messages")
    MARKETING = "marketing", _("marketing")


class CustomerConsent(models.Model):
    """One consent statement of a customer for a channel: append-only, the newest per channel
    is the one in force. ``given_at`` is when the customer said it, ``source`` where."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="consents")
    channel = models.CharField(_("channel"), max_length=10, choices=ConsentChannel)
    granted = models.BooleanField(_("granted"))
    given_at = models.DateTimeField(_("date"))
    source = models.CharField(_("source"), max_length=200)
    recorded_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    recorded_by_label = models.CharField(max_length=200)
    created_at = models.DateTimeField()

    class Meta:
        indexes: ClassVar = [
            models.Index(fields=["customer", "channel", "given_at"], name="consent_customer")
        ]

    def __str__(self) -> str:
        return f"{self.channel}={'yes' if self.granted else 'no'} for {self.customer_id}"


class CustomerMerge(models.Model):
    """A person merged ``source`` into ``target``; what moved is listed by id, so undoing
    moves exactly those rows back and restores the target's fields the merge filled in."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    target = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    source = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    reasons = models.JSONField(default=list)
    handle_ids = models.JSONField(default=list)
    conversation_ids = models.JSONField(default=list)
    consent_ids = models.JSONField(default=list)
    target_before = models.JSONField(default=dict)
    target_after = models.JSONField(default=dict)
    merged_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    merged_by_label = models.CharField(max_length=200)
    merged_at = models.DateTimeField()
    undone_at = models.DateTimeField(null=True)
    undone_by_label = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints: ClassVar = [
            # A customer is merged away at most once at a time.
            models.UniqueConstraint(fields=["source"], condition=Q(undone_at=None),
                                    name="one_live_merge_per_source"),
        ]

    def __str__(self) -> str:
        return f"{self.source_id}→{self.target_id}"


class SavedView(models.Model):
    """A named set of inbox filters: private to its owner, or shared with the organization."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, null=True, blank=True,
                              related_name="+")
    name = models.CharField(_("name"), max_length=80)
    shared = models.BooleanField(_("shared with the team"), default=False)
    base_view = models.CharField(max_length=20, default="open")
    filters = models.JSONField(default=dict)
    created_at = models.DateTimeField()

    class Meta:
        ordering: ClassVar = ["name", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["organization", "owner", "name"],
                                    name="saved_view_name_per_owner")
        ]
        indexes: ClassVar = [
            models.Index(fields=["organization", "shared"], name="saved_view_shared")
        ]

    def __str__(self) -> str:
        return self.name


class NetworkModeration(models.Model):
    """Hiding (or deleting) a customer's item on the network, through the same durable outbox
    discipline as replies: queued → sending → done | failed | unknown, key written first."""

    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENDING = "sending", _("sending")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")
        UNKNOWN = "unknown", _("outcome unknown")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE,
                                     related_name="moderations")
    mention = models.ForeignKey(Mention, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=10, default="hide")
    state = models.CharField(max_length=10, choices=State, default=State.QUEUED)
    idempotency_key = models.CharField(max_length=64, unique=True)
    external_id = models.CharField(max_length=256, blank=True)
    error = models.TextField(blank=True)
    created_by_label = models.CharField(max_length=200)
    created_at = models.DateTimeField()
    sending_at = models.DateTimeField(null=True)
    finished_at = models.DateTimeField(null=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["mention", "action"], name="moderation_once")
        ]
        indexes: ClassVar = [
            models.Index(fields=["state", "created_at"], name="moderation_state")
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.mention_id} ({self.state})"
