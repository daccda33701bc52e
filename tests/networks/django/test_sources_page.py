import pytest

from tertulia.governance.models import AuditEvent
from tertulia.listening.models import Source
from tertulia.networks.models import FeedState, WebhookEndpoint

from .conftest import make_feed_source, make_webhook_source


def page(org):
    return f"/o/{org.slug}/settings/sources/"


def audit_actions(org):
    return list(AuditEvent.objects.filter(organization=org).order_by("seq")
                .values_list("action", flat=True))


@pytest.fixture
def owner(client, world):
    client.force_login(world.person("owner"))
    return client


def test_the_owner_sees_each_source_with_its_health(owner, world):
    make_feed_source(world.acme)
    source, endpoint, _secret = make_webhook_source(world.acme)
    Source.objects.filter(id=source.id).update(last_run_at="2024-05-14T10:00:00Z",
                                               consecutive_failures=3,
                                               last_error="items[0]: text is required")
    response = owner.get(page(world.acme))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Diario del barrio" in html and "Reviews bridge" in html
    assert "bg-secondary-lt" in html and "bg-red-lt" in html  # new feed, failing webhook
    assert f"/hooks/{endpoint.token}/" in html and "items[0]: text is required" in html


def test_the_settings_menu_links_the_page(owner, world):
    assert page(world.acme) in owner.get(page(world.acme)).content.decode()


@pytest.mark.parametrize(("person", "status"), [("agent", 403), ("analyst", 403),
                                                 ("outsider", 404), ("admin", 200)])
def test_who_may_open_the_page(client, world, person, status):
    client.force_login(world.person(person))
    assert client.get(page(world.acme)).status_code == status


def test_anonymous_is_sent_to_sign_in(client, world):
    response = client.get(page(world.acme))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_another_organizations_source_is_not_found(owner, world):
    theirs = make_feed_source(world.other)
    for verb in ("pause", "resume", "delete", "rotate-secret"):
        url = f"{page(world.acme)}{theirs.id}/{verb}/"
        assert owner.post(url).status_code == 404, verb
    assert Source.objects.filter(id=theirs.id, is_active=True).exists()


def test_adding_a_feed(owner, world):
    response = owner.post(f"{page(world.acme)}feeds/",
                          {"name": "Blog", "url": "https://dailygrind.example/feed.atom"})
    assert response.status_code == 302
    source = Source.objects.get(organization=world.acme, name="Blog")
    assert source.kind == Source.Kind.RSS and FeedState.objects.filter(source=source).exists()
    assert audit_actions(world.acme)[-1] == "source.created"


@pytest.mark.parametrize("url", ["http://localhost/feed", "http://127.0.0.1:8000/rss",
                                 "http://10.0.0.5/rss", "ftp://files.example/rss", "not a url"])
def test_a_feed_address_that_cannot_be_public_is_refused(owner, world, url):
    response = owner.post(f"{page(world.acme)}feeds/", {"name": "Bad", "url": url})
    assert response.status_code == 200
    assert response.context["feed_form"].errors["url"]
    assert not Source.objects.filter(organization=world.acme).exists()


def test_a_new_webhook_shows_its_secret_once(owner, world):
    response = owner.post(f"{page(world.acme)}webhooks/", {"name": "Zapier"})
    assert response.status_code == 200
    endpoint = WebhookEndpoint.objects.get(source__organization=world.acme)
    secret = endpoint.secret().decode()
    html = response.content.decode()
    assert secret in html and f"/hooks/{endpoint.token}/" in html
    assert secret not in owner.get(page(world.acme)).content.decode()
    assert audit_actions(world.acme)[-1] == "source.created"
    assert secret not in str(AuditEvent.objects.filter(organization=world.acme)
                             .values_list("after", flat=True))


def test_rotating_the_secret(owner, world):
    source, endpoint, old = make_webhook_source(world.acme)
    response = owner.post(f"{page(world.acme)}{source.id}/rotate-secret/")
    assert response.status_code == 200
    endpoint.refresh_from_db()
    new = endpoint.secret()
    assert new != old and new.decode() in response.content.decode()
    assert endpoint.rotated_at is not None
    assert audit_actions(world.acme)[-1] == "webhook.secret_rotated"


def test_a_feed_has_no_secret_to_rotate(owner, world):
    source = make_feed_source(world.acme)
    response = owner.post(f"{page(world.acme)}{source.id}/rotate-secret/")
    assert response.status_code == 302


def test_pause_resume_and_delete(owner, world):
    source = make_feed_source(world.acme)
    base = f"{page(world.acme)}{source.id}"
    assert owner.post(f"{base}/pause/").status_code == 302
    assert not Source.objects.get(id=source.id).is_active
    assert owner.post(f"{base}/resume/").status_code == 302
    assert Source.objects.get(id=source.id).is_active
    assert owner.post(f"{base}/delete/").status_code == 302
    assert not Source.objects.filter(id=source.id).exists()
    assert not FeedState.objects.filter(source_id=source.id).exists()
    assert audit_actions(world.acme)[-3:] == ["source.paused", "source.resumed",
                                             "source.deleted"]


def test_changes_need_post(owner, world):
    source = make_feed_source(world.acme)
    assert owner.get(f"{page(world.acme)}{source.id}/delete/").status_code == 405
