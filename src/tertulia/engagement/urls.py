from django.urls import path

from tertulia.engagement import customer_views, views

app_name = "engagement"
org = "o/<slug:org_slug>"
conv = f"{org}/inbox/c/<int:conversation_id>"
brand = f"{org}/b/<slug:brand_slug>"

urlpatterns = [
    path(f"{org}/inbox/", views.inbox_all, name="inbox"),
    path(f"{org}/inbox/live/", views.live, name="live"),
    path(f"{org}/inbox/bulk/", views.bulk, name="bulk"),
    path(f"{org}/inbox/supervisor/", views.supervisor, name="supervisor"),
    path(f"{org}/inbox/notifications/", views.notifications, name="notifications"),
    path(f"{org}/inbox/views/save/", views.view_save, name="view_save"),
    path(f"{org}/inbox/views/<int:view_id>/delete/", views.view_delete, name="view_delete"),
    path(f"{org}/inbox/approvals/", views.approvals, name="approvals"),
    path(f"{org}/inbox/approvals/<int:reply_id>/", views.approval_decide,
         name="approval_decide"),
    path(f"{org}/customers/", customer_views.customer_list, name="customers"),
    path(f"{org}/customers/suggestions/", customer_views.customer_suggestions,
         name="customer_suggestions"),
    path(f"{org}/customers/<int:customer_id>/", customer_views.customer_detail,
         name="customer"),
    path(f"{org}/customers/<int:customer_id>/edit/", customer_views.customer_edit,
         name="customer_edit"),
    path(f"{org}/customers/<int:customer_id>/consent/", customer_views.customer_consent,
         name="customer_consent"),
    path(f"{org}/customers/<int:customer_id>/merge/", customer_views.customer_merge,
         name="customer_merge"),
    path(f"{org}/customers/merges/<int:merge_id>/undo/", customer_views.customer_unmerge,
         name="customer_unmerge"),
    path(f"{conv}/", views.conversation, name="conversation"),
    path(f"{conv}/handoff/", views.handoff, name="handoff"),
    path(f"{conv}/reply/", views.reply, name="reply"),
    path(f"{conv}/reply/retry/", views.reply_retry, name="reply_retry"),
    path(f"{conv}/update/", views.update, name="update"),
    path(f"{conv}/note/", views.note, name="note"),
    path(f"{conv}/presence/", views.presence, name="presence"),
    path(f"{conv}/rules/", views.conversation_rules, name="dry_run"),
    path(f"{brand}/inbox/", views.inbox_brand, name="brand_inbox"),
    path(f"{brand}/inbox/rules/", views.rules, name="rules"),
    path(f"{brand}/inbox/rules/<int:rule_id>/", views.rule_edit, name="rule_edit"),
    path(f"{brand}/inbox/rules/<int:rule_id>/delete/", views.rule_delete, name="rule_delete"),
    path(f"{brand}/inbox/sla/", views.sla_settings, name="sla"),
    path(f"{brand}/inbox/approval/", views.approval_settings, name="approval_settings"),
    path(f"{brand}/inbox/guideline/", views.guideline, name="guideline"),
    path(f"{brand}/inbox/guideline/edit/", views.guideline_edit, name="guideline_edit"),
    path(f"{brand}/inbox/templates/new/", views.template_new, name="template_new"),
    path(f"{brand}/inbox/templates/<int:template_id>/", views.template_edit,
         name="template_edit"),
    path(f"{brand}/inbox/templates/<int:template_id>/delete/", views.template_delete,
         name="template_delete"),
    path(f"{brand}/mentions/<int:mention_id>/to-inbox/", views.pull_mention,
         name="pull_mention"),
]
