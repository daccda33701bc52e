"""Template helpers for the web shell."""

from __future__ import annotations

from django import forms, template

register = template.Library()


@register.filter
def tabler(form: forms.BaseForm) -> forms.BaseForm:
    """Give every widget Tabler's classes, so `{{ form|tabler }}` renders a styled form."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
            css = "form-check-input"
        elif isinstance(widget, forms.Select | forms.SelectMultiple):
            css = "form-select"
        else:
            css = "form-control"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
    return form
