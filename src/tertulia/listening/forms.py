from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tertulia.listening.models import Query
from tertulia.listening.query import QuerySyntaxError, parse

SENTIMENTS = [("", _("Any sentiment")), ("positive", _("Positive")), ("neutral", _("Neutral")),
              ("negative", _("Negative"))]
FLAGS = [("", _("Any flag")), ("red", _("Red: public critical")), ("yellow", _("Yellow: service")),
         ("green", _("Green: sales")), ("spam", _("Spam")), ("none", _("No flag"))]
LANGUAGES = [("", _("Any language")), ("es", _("Spanish")), ("en", _("English")),
             ("pt", _("Portuguese")), ("fr", _("French")), ("ca", _("Catalan")),
             ("it", _("Italian")), ("de", _("German")), ("und", _("Unknown"))]


class StreamFilterForm(forms.Form):
    q = forms.CharField(label=_("search"), required=False, max_length=200)
    query = forms.ModelChoiceField(label=_("query"), queryset=None, required=False,
                                   empty_label=_("All queries"))
    # What the insights dashboards count as the brand's own mentions (drill-downs land here).
    scope = forms.ChoiceField(label=_("scope"), required=False, choices=[
        ("", _("Brand and competitors")), ("own", _("Own mentions only")),
        ("competitors", _("Competitors only"))])
    network = forms.CharField(label=_("network"), required=False, max_length=20)
    language = forms.ChoiceField(label=_("language"), choices=LANGUAGES, required=False)
    sentiment = forms.ChoiceField(label=_("sentiment"), choices=SENTIMENTS, required=False)
    flag = forms.ChoiceField(label=_("flag"), choices=FLAGS, required=False)
    author = forms.CharField(label=_("author"), required=False, max_length=256)
    tag = forms.CharField(label=_("tag"), required=False, max_length=60)
    min_followers = forms.IntegerField(label=_("followers at least"), required=False, min_value=0)
    date_from = forms.DateField(label=_("from"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("to"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: object, brand: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["query"].queryset = Query.objects.filter(brand=brand)  # type: ignore[attr-defined]


class QueryForm(forms.ModelForm):
    class Meta:
        model = Query
        fields = ("name", "kind", "text", "is_active")
        widgets = {"text": forms.Textarea(attrs={"rows": 4, "spellcheck": "false",
                                                 "class": "query-editor"})}

    def clean_text(self) -> str:
        text = self.cleaned_data["text"]
        try:
            parse(text)
        except QuerySyntaxError as error:
            from django.utils.translation import get_language

            lang = "es" if (get_language() or "en").startswith("es") else "en"
            raise forms.ValidationError(f"{error.message(lang)} {error.hint(lang)}") from error
        return text
