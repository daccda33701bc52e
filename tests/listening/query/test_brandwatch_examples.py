"""Queries written for Brandwatch's documented operators parse here and mean the same.

The examples follow Brandwatch's published operator guide (query operators, advanced
operators, proximity operators); each one is paired with a post it should find.
"""

from __future__ import annotations

import pytest

from tertulia.listening.query import MatchDocument, parse

from .conftest import both_match

EXAMPLES = [
    ('"apple juice"', {"text": "I love apple juice"}),
    ("apple AND juice", {"text": "juice with apple"}),
    ("apple OR juice", {"text": "juice"}),
    ("apple NOT juice", {"text": "apple pie"}),
    ("(apple AND juice) OR (apple AND sauce)", {"text": "apple sauce"}),
    ('"apple juice"~5', {"text": "made with fresh apple, orange and pear juice"}),
    ("((apple OR orange) NEAR/5 (smartphone OR phone))", {"text": "orange is my phone"}),
    ("(logitech NEAR/2f keyboard)", {"text": "Logitech Bluetooth Keyboard"}),
    ("((apple OR orange) AND (smartphone OR phone))~5", {"text": "apple smartphone"}),
    ("complain*", {"text": "complaints"}),
    ("customi?e", {"text": "customize"}),
    ('title:"apple juice"', {"text": "x", "title": "Apple juice recipes"}),
    ("<<<my comment here>>> apple", {"text": "apple"}),
    ("{BT}", {"text": "BT"}),
    ("niño", {"text": "niño"}),
    ("Nino NOT niño", {"text": "Nino"}),
    ('continent:europe AND "apple juice"', {"text": "apple juice", "continent": "europe"}),
    ('country:gbr AND "apple juice"', {"text": "apple juice", "country": "gbr"}),
    ('region:usa.fl AND "apple juice"', {"text": "apple juice", "region": "usa.fl"}),
    (
        'city:"deu.berlin.berlin" AND "apple juice"',
        {"text": "apple juice", "city": "deu.berlin.berlin"},
    ),
    ("language:en", {"text": "x", "language": "en"}),
    (
        "latitude:[41 TO 44]AND longitude:[-73 TO -69]",
        {"text": "x", "latitude": 42, "longitude": -70},
    ),
    ('site:twitter.com AND "apple juice"', {"text": "apple juice", "site": "twitter.com"}),
    ('url:"msn.com/news" AND "Simon Cowell"', {"text": "Simon Cowell", "url": "msn.com/news/1"}),
    (
        'channelId:"141273439246434" AND "summer"',
        {"text": "summer", "channel_id": "141273439246434"},
    ),
    ("author:ladygaga", {"text": "x", "author": "ladygaga"}),
    ('author:"brandwatch office"', {"text": "x", "author": "brandwatch.office"}),
    ("links:msn.com", {"text": "x", "links": ["https://msn.com/a"]}),
    ("authorGender:F", {"text": "x", "author_gender": "F"}),
    ("authorVerified:true", {"text": "x", "author_verified": True}),
    ("authorVerifiedType:blue", {"text": "x", "author_verified_type": "blue"}),
    ("authorFollowers:[500 TO 100000]", {"text": "x", "author_followers": 600}),
    ("blogName:comedycentral", {"text": "x", "blog_name": "comedycentral"}),
    ("parentBlogName:comedycentral", {"text": "x", "parent_blog_name": "comedycentral"}),
    ("rootBlogName:comedycentral", {"text": "x", "root_blog_name": "comedycentral"}),
    ("parentPostId:129596930020", {"text": "x", "parent_post_id": "129596930020"}),
    ("rootPostId:129596930020", {"text": "x", "root_post_id": "129596930020"}),
    ("tags:photography", {"text": "x", "tags": ["photography"]}),
    ("brandIds:12 AND brandIds:14", {"text": "x", "brand_ids": [12, 14]}),
    ("objects:3902", {"text": "x", "object_ids": [3902]}),
    ("engagementType:COMMENT", {"text": "x", "engagement_type": "COMMENT"}),
    ("engagementType:RETWEET", {"text": "x", "engagement_type": "RETWEET"}),
    ('"john mayer" AND engagementType:QUOTE', {"text": "John Mayer", "engagement_type": "QUOTE"}),
    ("engagingWith:brandwatch", {"text": "x", "engaging_with": "brandwatch"}),
    (
        "engagingWithGuid:   857284431631011841",
        {"text": "x", "engaging_with_guid": "857284431631011841"},
    ),
    ("guid:857284431631011841", {"text": "x", "guid": "857284431631011841"}),
    ("guid:1277374998_1015572792854", {"text": "x", "guid": "1277374998_1015572792854"}),
    ("imageType:image", {"text": "x", "image_type": "image"}),
    (
        'site:"amazon.com" AND itemReview:("Xbox One")',
        {"text": "x", "site": "amazon.com", "item_review": "Xbox One"},
    ),
    ("rating:3", {"text": "x", "rating": 3}),
    ("rating:[3 TO 5]", {"text": "x", "rating": 5}),
    ("minuteOfDay:[1110 TO 1140]", {"text": "x", "minute_of_day": 1110}),
    ("pubType:MY_MENTIONS", {"text": "x", "pub_type": "MY_MENTIONS"}),
    ("publisherSubType:IMAGE", {"text": "x", "publisher_sub_type": "IMAGE"}),
    ('publication:"MSN UK"', {"text": "x", "publication": "MSN UK"}),
    ("redditAuthorFlair:PhD", {"text": "x", "reddit_author_flair": "PhD"}),
    ("redditPostFlair:Advice", {"text": "x", "reddit_post_flair": "Advice"}),
    ("redditSpoiler:true", {"text": "x", "reddit_spoiler": True}),
    ("sensitiveContent:true", {"text": "x", "sensitive_content": True}),
    ("subreddit:nba OR subreddit:Ballers", {"text": "x", "subreddit": "ballers"}),
    ("subredditNSFW:true", {"text": "x", "subreddit_nsfw": True}),
    ('subredditTopics:"Food & Recipes"', {"text": "x", "subreddit_topics": "Food & Recipes"}),
    ("topLevelDomain:com OR topLevelDomain:org", {"text": "x", "site": "example.org"}),
    ("weblogTitle:feelslikegold", {"text": "x", "weblog_title": "feelslikegold"}),
    ("#MondayMotivation", {"text": "Happy #mondaymotivation"}),
    ("@brandwatch", {"text": "thanks @Brandwatch"}),
    ("summer NEAR/1f holiday", {"text": "summer beach holiday"}),
    ('(christmas OR xmas) NEAR/0f ("mince pie" OR pudding)', {"text": "Christmas pudding"}),
    (
        '(((christmas OR xmas) NEAR/2 (gift OR present)) NEAR/2 (wife OR "girl friend"))',
        {"text": "present for xmas for my girl friend"},
    ),
]


@pytest.mark.parametrize(("query", "fields"), EXAMPLES, ids=[q for q, _ in EXAMPLES])
def test_brandwatch_example_parses_and_matches(query, fields):
    parse(query)
    assert both_match(query, MatchDocument.from_dict(fields))
