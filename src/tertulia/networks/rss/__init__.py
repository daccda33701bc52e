"""RSS 2.0 and Atom feeds (news, blogs) through feedparser, with conditional GET."""
