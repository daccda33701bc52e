"""What queries mean: each case runs through the interpreter and the compiled matcher."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tertulia.listening.query import MatchDocument

from .conftest import both_match

CASES = [
    # words, case
    ("complaint", "One more COMPLAINT", True),
    ("complaint", "complaints", False),
    ("acme", "I like acme.", True),
    ("acmex", "acme", False),
    # accents: unaccented term matches accented text, accented term only that spelling
    ("cafe", "Un Café, por favor", True),
    ("cafe", "un cafe", True),
    ("café", "CAFÉ con leche", True),
    ("café", "cafe con leche", False),
    ("nino", "el niño", True),
    ("niño", "el nino", False),
    ("niño", "el NIÑO", True),
    ("envío", "sin envio", False),
    ("envío", "sin envío", True),
    ("cafe", "café decomposed: cafe\u0301", True),
    ("café", "cafe\u0301 (combining accent) is café", True),
    # phrases
    ('"apple juice"', "Fresh apple, juice!", True),
    ('"apple juice"', "apple and juice", False),
    ('"apple juice"', "juice apple", False),
    ('"customer service"', "customer   service, great", True),
    ('"atención al cliente"', "Pésima ATENCIÓN al cliente", True),
    ('"atencion al cliente"', "Pésima ATENCIÓN al cliente", True),
    ('"atención al cliente"', "Pésima atencion al cliente", False),
    ("coca-cola", "I drink coca cola", True),
    ("coca-cola", "I drink Coca-Cola", True),
    ("coca-cola", "cola coca", False),
    # boolean
    ("apple AND juice", "juice made of apple", True),
    ("apple AND juice", "apple pie", False),
    ("apple juice", "juice made of apple", True),
    ("apple OR juice", "orange juice", True),
    ("apple NOT juice", "apple pie", True),
    ("apple NOT juice", "apple juice", False),
    ("(apple AND juice) OR (apple AND sauce)", "apple sauce", True),
    ("(apple AND juice) OR (apple AND sauce)", "juice sauce", False),
    ("NOT job AND acme", "acme store", True),
    ("NOT job AND acme", "acme job", False),
    # wildcards
    ("complain*", "they complained", True),
    ("complain*", "complain", True),
    ("complain*", "a compliant reply", False),
    ("customi?e", "customise it", True),
    ("customi?e", "customize it", True),
    ("customi?e", "customie", False),
    ("colo*r", "colour or color", True),
    ("devoluci*", "la devolución", True),
    ("envío*", "envíos gratis", True),
    ("envío*", "envios gratis", False),
    ("caf?", "café", True),
    # proximity
    ("acme NEAR/3 refund*", "acme never gave my refunds", True),
    ("acme NEAR/3 refund*", "acme is one two three four refund", False),
    ("refund* NEAR/2 acme", "acme x refunded", True),
    ("acme NEAR/0 refund", "acme refund", True),
    ("acme NEAR/0 refund", "refund acme", True),
    ("acme NEAR/0 refund", "acme, the refund", False),
    ("logitech NEAR/2f keyboard", "Logitech Solar Keyboard", True),
    ("logitech NEAR/2f keyboard", "keyboard by logitech", False),
    ("(apple OR orange) NEAR/5 (phone OR smartphone)", "my phone is an orange", True),
    ("(apple OR orange) NEAR/1 (phone OR smartphone)", "apple is my phone", False),
    ('"apple juice" NEAR/2 fresh', "fresh cold apple juice", True),
    ('"apple juice" NEAR/2 fresh', "fresh very very cold apple juice", False),
    ("acme NEAR/3 acme", "acme", False),
    ("acme NEAR/3 acme", "acme and acme", True),
    ("((apple OR orange) AND (phone OR smartphone))~5", "orange phone", True),
    (
        '((christmas OR xmas) NEAR/2 (gift OR present)) NEAR/2 (wife OR "girl friend")',
        "a xmas gift for my wife",
        True,
    ),
    ('"apple juice"~5', "apple, orange and pear juice", True),
    ('"apple juice"~5', "juice of a green apple", True),
    ('"apple juice"~2', "apple, orange and pear juice", False),
    ('"very good"~3', "very good", True),
    ('"very very"~1', "very nice", False),
    ('"very very"~1', "very very nice", True),
    # hashtags, mentions, emoji, symbols
    ("#acme", "I love #Acme", True),
    ("#acme", "I love acme", False),
    ("#acme", "I love @acme", False),
    ("acme", "I love #acme", True),
    ("acme", "write to @acme", True),
    ("@acmecorp", "hi @AcmeCorp!", True),
    ("@acmecorp", "mail x@acmecorp.com", False),
    ("#café", "#Café", True),
    ("#cafe", "#Café", True),
    ("#café", "#cafe", False),
    ("😡 AND acme", "acme 😡😡", True),
    ("😡 AND acme", "acme 🙂", False),
    ("❤️", "love it ❤", True),
    ("€", "100€ too much", True),
    ("%", "50% off", True),
    # case-sensitive and raw
    ("{BT}", "BT broadband", True),
    ("{BT}", "bt broadband", False),
    ("{BT}", "Bt broadband", False),
    ("{iPhone}", "my iPhone", True),
    ("{iPhone}", "my IPHONE", False),
    ("{Café}", "un Café", True),
    ("{Café}", "un café", False),
    ("raw:Google+", "I use Google+ daily", True),
    ("raw:Google+", "I use google+ daily", False),
    ("raw:Google+", "I use Google daily", False),
    ("raw:Google+", "I use Googleplex+", False),
    ('raw:"A&B"', "shares of A&B rose", True),
    ('raw:"A&B"', "shares of A & B rose", False),
    # comments
    ("apple <<<the fruit>>> AND pie", "apple pie", True),
]


@pytest.mark.parametrize(("query", "text", "expected"), CASES)
def test_text_matching(matches, query, text, expected):
    assert matches(query, text) is expected


def post(**fields):
    return {"text": fields.pop("text", "acme rocks"), **fields}


FIELD_CASES = [
    ("author:ladygaga", post(author="LadyGaga"), True),
    ("author:ladygaga", post(author="@ladygaga"), True),
    ('author:"brandwatch office"', post(author="brandwatch.office"), True),
    ("author:lady*", post(author="ladygaga"), True),
    ("author:ladygaga", post(author="ladygagafan"), False),
    ("author:ladygaga", post(), False),
    ("author:(ana OR bob)", post(author="bob"), True),
    ("site:twitter.com", post(site="twitter.com"), True),
    ("site:twitter.com", post(site="mobile.twitter.com"), True),
    ("site:twitter.com", post(site="nottwitter.com"), False),
    ("site:twitter.com", post(url="https://www.twitter.com/a/status/1"), True),
    ('url:"msn.com/news"', post(url="https://www.msn.com/news/uk/story"), True),
    ('url:"msn.com/news"', post(url="https://uk.msn.com/news/story"), True),
    ('url:"msn.com/news"', post(url="https://msn.com/sport"), False),
    ("links:msn.com", post(links=("https://msn.com/x", "https://a.com")), True),
    ("links:msn.com", post(links=("https://a.com",)), False),
    ('title:"apple juice"', post(title="Best Apple Juice"), True),
    ('title:"apple juice"', post(text="apple juice", title="news"), False),
    ("title:(apple NEAR/1 juice)", post(title="apple cold juice"), True),
    ("title:apple", post(), False),
    ("language:es", post(language="es"), True),
    ("language:es", post(language="es-MX"), True),
    ("language:es", post(language="en"), False),
    ("country:gbr", post(country="GBR"), True),
    ("country:gbr", post(country="esp"), False),
    ("continent:europe", post(continent="europe"), True),
    ("region:usa.fl", post(region="usa.fl"), True),
    ('city:"deu.berlin.berlin"', post(city="deu.berlin.berlin"), True),
    ("latitude:[41 TO 44] AND longitude:[-73 TO -69]", post(latitude=42.3, longitude=-71.0), True),
    ("latitude:[41 TO 44]", post(latitude=40.0), False),
    ('channelId:"141273439246434"', post(channel_id="141273439246434"), True),
    ("authorGender:F", post(author_gender="F"), True),
    ("authorGender:F", post(author_gender="M"), False),
    ("authorVerified:true", post(author_verified=True), True),
    ("authorVerified:false", post(author_verified=False), True),
    ("authorVerified:true", post(author_verified=None), False),
    ("acme NOT authorVerified:true", post(author_verified=None), True),
    ("authorVerifiedType:blue", post(author_verified_type="blue"), True),
    ("authorFollowers:[500 TO 100000]", post(author_followers=500), True),
    ("authorFollowers:[500 TO 100000]", post(author_followers=100000), True),
    ("authorFollowers:[500 TO 100000]", post(author_followers=499), False),
    ("authorFollowers:[10000 TO *]", post(author_followers=10**7), True),
    ("authorFollowers:1000", post(author_followers=1000), True),
    ("blogName:comedycentral", post(blog_name="ComedyCentral"), True),
    ("parentBlogName:comedycentral", post(parent_blog_name="comedycentral"), True),
    ("rootBlogName:comedycentral", post(root_blog_name="other"), False),
    ("parentPostId:129596930020", post(parent_post_id="129596930020"), True),
    ("rootPostId:129596930020", post(root_post_id="129596930020"), True),
    ("tags:photography", post(tags=("Photography", "art")), True),
    ("brandIds:12 AND brandIds:14", post(brand_ids=("12", "14")), True),
    ("brandIds:12 AND brandIds:14", post(brand_ids=("12",)), False),
    ("objects:3902", post(object_ids=("3902",)), True),
    ("engagementType:REPLY", post(engagement_type="REPLY"), True),
    ("engagementType:REPLY", post(engagement_type="reply"), True),
    ("engagementType:QUOTE", post(engagement_type="RETWEET"), False),
    ("engagingWith:brandwatch", post(engaging_with="@Brandwatch"), True),
    ("engagingWithGuid:857284431631011841", post(engaging_with_guid="857284431631011841"), True),
    ("guid:1277374998_1015572792854", post(guid="1277374998_1015572792854"), True),
    ("imageType:image", post(image_type="image"), True),
    ('itemReview:("Xbox One")', post(item_review="Microsoft Xbox One S"), True),
    ("rating:[3 TO 5]", post(rating=4), True),
    ("rating:3", post(rating=4), False),
    ("minuteOfDay:[1110 TO 1140]", post(minute_of_day=1125), True),
    ("minuteOfDay:[1110 TO 1140]", post(minute_of_day=1141), False),
    ("pubType:MY_MENTIONS", post(pub_type="MY_MENTIONS"), True),
    ("publisherSubType:VIDEO", post(publisher_sub_type="VIDEO"), True),
    ('publication:"MSN UK"', post(publication="msn uk"), True),
    ("redditAuthorFlair:PhD", post(reddit_author_flair="PhD"), True),
    ("redditPostFlair:Advice", post(reddit_post_flair="advice"), True),
    ("redditSpoiler:true", post(reddit_spoiler=True), True),
    ("sensitiveContent:true", post(sensitive_content=False), False),
    ("subreddit:nba", post(subreddit="NBA"), True),
    ("subredditNSFW:true", post(subreddit_nsfw=True), True),
    ('subredditTopics:"Food & Recipes"', post(subreddit_topics="Food & Recipes"), True),
    ("topLevelDomain:org", post(site="wikipedia.org"), True),
    ("topLevelDomain:org", post(site="wikipedia.com"), False),
    ("weblogTitle:feelslikegold", post(weblog_title="feelslikegold"), True),
    ("network:twitter", post(network="x"), True),
    ("network:instagram", post(network="x"), False),
    ("sentiment:negative", post(sentiment="negative"), True),
    ("acme AND sentiment:negative", post(sentiment="positive"), False),
    ("flag:red", post(flag="red"), True),
    ("kind:dm", post(kind="dm"), True),
    ("kind:dm", post(kind="post"), False),
]


@pytest.mark.parametrize(("query", "fields", "expected"), FIELD_CASES)
def test_field_matching(query, fields, expected):
    assert both_match(query, MatchDocument.from_dict(fields)) is expected


def test_every_field_has_a_matching_case():
    from tertulia.listening.query import parse
    from tertulia.listening.query.ast import Field, walk
    from tertulia.listening.query.fields import FIELDS

    used = {n.name for q, _, _ in FIELD_CASES for n in walk(parse(q).root) if isinstance(n, Field)}
    assert set(FIELDS) <= used, set(FIELDS) - used


def test_minute_of_day_comes_from_created_at(matches):
    doc = MatchDocument.from_dict(
        {"text": "acme", "created_at": datetime(2025, 1, 1, 18, 45, tzinfo=UTC).isoformat()}
    )
    assert doc.minute_of_day == 1125
    from tertulia.listening.query import compile_queries, evaluate

    assert evaluate("minuteOfDay:[1110 TO 1140]", doc)
    assert compile_queries({1: "minuteOfDay:[1110 TO 1140]"}).match(doc) == {1}


def test_from_dict_reads_corpus_lines():
    doc = MatchDocument.from_dict(
        {
            "network": "x",
            "external_id": "1",
            "author_handle": "ana",
            "author_followers": 10,
            "created_at": "2025-03-01T00:10:00Z",
            "text": "hola",
            "url": "https://x.com/ana/status/1",
            "lang_hint": "es",
        }
    )
    assert (doc.author, doc.site, doc.language, doc.minute_of_day) == ("ana", "x.com", "es", 10)


def test_direct_construction_derives_like_from_dict():
    doc = MatchDocument(
        text="acme",
        url="https://www.example.com/a",
        created_at=datetime(2025, 1, 1, 18, 45, tzinfo=UTC),
        tags=["Photo"],
    )
    assert (doc.site, doc.minute_of_day, doc.tags) == ("www.example.com", 1125, ("Photo",))
    assert both_match("site:example.com AND minuteOfDay:[1125 TO 1125] AND tags:photo", doc)
