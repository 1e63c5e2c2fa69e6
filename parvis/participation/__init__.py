"""The open city: residents comment, follow and support; moderators keep the debate civil."""

from parvis.participation.actions import (
    add_comment,
    follow,
    moderate_comment,
    notify_followers,
    report_comment,
    support,
    unfollow,
    withdraw_support,
)
from parvis.participation.queries import (
    CommentView,
    ReportedComment,
    comment_count,
    comments_of,
    export_participation,
    follower_count,
    hidden_comments,
    relation_of,
    reported_comments,
    support_count,
    support_counts,
)

__all__ = [
    "CommentView",
    "ReportedComment",
    "add_comment",
    "comment_count",
    "comments_of",
    "export_participation",
    "follow",
    "follower_count",
    "hidden_comments",
    "moderate_comment",
    "notify_followers",
    "relation_of",
    "report_comment",
    "reported_comments",
    "support",
    "support_count",
    "support_counts",
    "unfollow",
    "withdraw_support",
]
