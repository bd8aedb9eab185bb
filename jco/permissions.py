"""Every permission question, answered in one place.

Routes, the API, feeds and exports ask these predicates before doing any work; none of them
decides access itself. Predicates take the account (or None for nobody logged in) and the object.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from jco.accounts.models import Account, AccountRole
from jco.documents.models import Document, Marking
from jco.operations.lifecycle import State
from jco.operations.models import Jco, Role

if TYPE_CHECKING:
    from jco.comments.models import Comment, CommentRound


def _role(user: Account | None) -> str | None:
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return None
    return user.role


def is_secretariat(user: Account | None) -> bool:
    return _role(user) in (AccountRole.SECRETARIAT, AccountRole.ADMIN)


def is_admin(user: Account | None) -> bool:
    return _role(user) == AccountRole.ADMIN


def is_delegate(user: Account | None) -> bool:
    return _role(user) == AccountRole.DELEGATE and user.organisation_id is not None


def clearance_of(user: Account | None) -> Marking:
    if _role(user) is None:
        return Marking.NONE
    try:
        return Marking(user.clearance or "")
    except ValueError:
        return Marking.NONE


def is_cleared_for(user: Account | None, marking: Marking | str) -> bool:
    """LIMITE is open to every national administration; classified levels need a clearance."""
    marking = Marking(marking or "")
    if _role(user) is None:
        return False
    if not marking.is_classified:
        return True
    return clearance_of(user).rank >= marking.rank


# --- reading -------------------------------------------------------------------------------

def can_view(user: Account | None) -> bool:
    """Any active account may read the register, meetings and unclassified metadata."""
    return _role(user) is not None


def can_view_jco(user: Account | None, jco: Jco) -> bool:
    return can_view(user)


def can_view_document_details(user: Account | None, document: Document) -> bool:
    """Title, subject and file of a document: classified ones only for cleared accounts.

    Others learn that the document exists and its marking, nothing more.
    """
    return is_cleared_for(user, document.marking)


def can_download_document(user: Account | None, document: Document) -> bool:
    return document.file_id is not None and can_view_document_details(user, document)


def document_title_for(user: Account | None, document: Document) -> str:
    """The title to show this account: withheld for classified documents it is not cleared for."""
    if can_view_document_details(user, document):
        return document.title
    return f"[{document.marking} — title withheld]"


def can_view_audit_log(user: Account | None) -> bool:
    return is_admin(user)


# --- acting on a JCO ------------------------------------------------------------------------

def leads_jco(user: Account | None, jco: Jco) -> bool:
    """Delegates of a JCO's lead or co-lead act as its lead."""
    if not is_delegate(user):
        return False
    return any(
        p.organisation_id == user.organisation_id and p.role in (Role.LEAD, Role.CO_LEAD)
        for p in jco.participants
    )


def takes_part(user: Account | None, jco: Jco) -> bool:
    return is_delegate(user) and any(p.organisation_id == user.organisation_id for p in jco.participants)


def can_create_jco(user: Account | None) -> bool:
    return is_secretariat(user) or is_delegate(user)


def can_edit_jco(user: Account | None, jco: Jco) -> bool:
    if not State(jco.state).is_open:
        return False
    return is_secretariat(user) or leads_jco(user, jco)


def can_upload_document(user: Account | None, jco: Jco) -> bool:
    return can_edit_jco(user, jco)


def can_open_comment_round(user: Account | None, jco: Jco) -> bool:
    return can_edit_jco(user, jco)


def can_record_operation(user: Account | None, jco: Jco) -> bool:
    return can_edit_jco(user, jco)


def can_withdraw(user: Account | None, jco: Jco) -> bool:
    return can_edit_jco(user, jco)


def can_close(user: Account | None, jco: Jco) -> bool:
    return is_secretariat(user) and State(jco.state) is State.REPORT_ADOPTED


def can_view_all_comments(user: Account | None, jco: Jco) -> bool:
    """The lead and the Secretariat read every comment of a round; managers read too."""
    return is_secretariat(user) or leads_jco(user, jco) or _role(user) == AccountRole.MANAGER


def can_comment(user: Account | None, round_: CommentRound) -> bool:
    """Every delegation may send one written comment per revision."""
    return is_delegate(user)


def can_edit_comment(user: Account | None, comment: Comment, round_: CommentRound, today) -> bool:
    return (
        is_delegate(user)
        and comment.organisation_id == user.organisation_id
        and today <= round_.deadline
    )


# --- meetings, documents, accounts -----------------------------------------------------------

def can_manage_meetings(user: Account | None) -> bool:
    return is_secretariat(user)


def can_record_outcome(user: Account | None) -> bool:
    return is_secretariat(user)


def can_register_document(user: Account | None) -> bool:
    return is_secretariat(user)


def can_manage_accounts(user: Account | None) -> bool:
    return is_secretariat(user)


def can_import(user: Account | None) -> bool:
    return is_secretariat(user)


# --- API ---

def can_add_results(user: Account | None, jco: Jco) -> bool:
    """The lead (or co-lead) delegation and the Secretariat record a final report's results."""
    return can_edit_jco(user, jco)


def can_create_api_token(user: Account | None) -> bool:
    """Every active account may use the API with the same rights it has on the pages."""
    return can_view(user)


def can_revoke_api_token(user: Account | None, token) -> bool:
    return _role(user) is not None and token.account_id == user.id
