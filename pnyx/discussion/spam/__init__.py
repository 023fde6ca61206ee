"""Spam engines pnyx can ask about a comment: SpamAssassin's ``spamd`` and Akismet (or a service that
speaks its protocol). Both are optional, switched on in the moderation settings; an engine that does
not answer in time never costs a comment: the rules hold it, saying which engine was down.
"""

from dataclasses import dataclass


class EngineDown(Exception):
    """The engine could not be asked, or did not answer in time; the message says what happened."""


@dataclass(frozen=True)
class Answer:
    spam: bool
    detail: str
