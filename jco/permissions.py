"""Every permission question, answered in one place.

Routes, the API, feeds and exports ask these predicates before doing any work; none of them
decides access itself. Predicates take the account (or None for nobody logged in) and the object.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from jco.accounts.models import Account, AccountRole, ApiToken
from jco.core.text import _
from jco.documents.models import Document, Marking
from jco.operations.lifecycle import State
from jco.operations.models import Jco, Role

if TYPE_CHECKING:
    from jco.comments.models import Comment, CommentRound


class Refused(ValueError):
    """A rule said no. Raised by the function that owns the rule; pages show the message as a form
    error or a flash, the API answers ``status`` with the same message.

    ``status`` is 403 when this account may not do it, 422 when the request cannot be done (not
    now, not with that document, too many rows); ``field`` names the form or body field at fault.
    """

    status = 403

    def __init__(self, message: str, *, status: int | None = None, field: str | None = None) -> None:
        super().__init__(message)
        if status is not None:
            self.status = status
        self.field = field


def _role(user: Account | None) -> str | None:
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return None
    return user.role


def is_secretariat(user: Account | None) -> bool:
    """The Secretariat (admins included). What only it does asks this one question: running meetings
    (editing them, planning the agenda, recording outcomes, drafting the summary), registering a
    document without a file or without an operation, setting deadlines by hand and recording them
    met, importing a register, choosing a new operation's lead, and opening account administration
    (which accounts, roles and clearances it may touch is decided by the predicates below)."""
    return _role(user) in (AccountRole.SECRETARIAT, AccountRole.ADMIN)


def is_admin(user: Account | None) -> bool:
    return _role(user) == AccountRole.ADMIN


def is_delegate(user: Account | None) -> bool:
    return user is not None and _role(user) == AccountRole.DELEGATE and user.organisation_id is not None


def clearance_of(user: Account | None) -> Marking:
    if user is None or _role(user) is None:
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
    return _("[%(marking)s — title withheld]", marking=document.marking)


def document_title_in_note(user: Account | None, document: Document, note_marking: Marking | str) -> str:
    """A document's title as an exported note (agenda, summary) cites it for this reader.

    A note holds nothing classified above its own marking, whoever reads it; within that, a reader
    not cleared for a document gets the version without its title (the reference and marking stay:
    the Council's own notes print them)."""
    marking = document.marking_enum
    if marking.is_classified and marking.rank > Marking(note_marking or "").rank:
        return _("[%(marking)s — title withheld]", marking=document.marking)
    return document_title_for(user, document)


def markings_withheld_from(user: Account | None) -> tuple[str, ...]:
    """Markings whose documents' content (titles, results they report) this account may not see.

    For queries that aggregate many documents at once, where asking per document would not scale.
    """
    return tuple(m.value for m in Marking if not is_cleared_for(user, m))


def can_view_dashboard(user: Account | None) -> bool:
    """Dashboards aggregate what every account may read already (no document titles)."""
    return can_view(user)


def can_view_audit_log(user: Account | None) -> bool:
    """The whole log: the Secretariat answers for the record, administrators for the system."""
    return is_secretariat(user)


# --- acting on a JCO ------------------------------------------------------------------------

def leads_jco(user: Account | None, jco: Jco) -> bool:
    """Delegates of a JCO's lead or co-lead act as its lead."""
    if user is None or not is_delegate(user):
        return False
    return any(
        p.organisation_id == user.organisation_id and p.role in (Role.LEAD, Role.CO_LEAD)
        for p in jco.participants
    )


def takes_part(user: Account | None, jco: Jco) -> bool:
    return user is not None and is_delegate(user) and any(p.organisation_id == user.organisation_id for p in jco.participants)


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


# --- account administration -------------------------------------------------------------------
# Only an admin touches the accounts that hold these roles: otherwise the Secretariat could make
# itself (or anyone) an admin, or lock the admins out.
PRIVILEGED_ROLES = (AccountRole.ADMIN, AccountRole.SECRETARIAT)
# The levels an account may be cleared for (LIMITE is a distribution marking, open to all).
CLEARANCE_LEVELS = (Marking.NONE, Marking.RESTREINT_UE, Marking.CONFIDENTIEL_UE, Marking.SECRET_UE)


def can_manage_account(user: Account | None, account: Account) -> bool:
    """Change, disable or enable this account (as it is now)."""
    if is_admin(user):
        return True
    return is_secretariat(user) and account.role not in PRIVILEGED_ROLES


def can_grant_role(user: Account | None, role: AccountRole | str) -> bool:
    """Give this role to an account, by creating it or changing it."""
    if is_admin(user):
        return True
    return is_secretariat(user) and AccountRole(role) not in PRIVILEGED_ROLES


def roles_grantable_by(user: Account | None) -> list[AccountRole]:
    return [role for role in AccountRole if can_grant_role(user, role)]


def can_grant_clearance(user: Account | None, clearance: Marking | str, current: Marking | str = "") -> bool:
    """Set an account's clearance from ``current`` to ``clearance``.

    Keeping or lowering a clearance grants nothing; raising one is for an admin who holds at least
    that clearance. (The server's command line may grant any clearance: see jco/cli.py.)
    """
    if not is_secretariat(user):
        return False
    clearance, current = Marking(clearance or ""), Marking(current or "")
    if clearance not in CLEARANCE_LEVELS:
        return False
    if clearance.rank <= current.rank:
        return True
    return is_admin(user) and clearance_of(user).rank >= clearance.rank


def clearances_grantable_by(user: Account | None, current: Marking | str = "") -> list[Marking]:
    return [level for level in CLEARANCE_LEVELS if can_grant_clearance(user, level, current)]


def can_disable_account(user: Account | None, account: Account) -> bool:
    """Nobody locks themselves out; whether the last admin would go is the service's question."""
    return can_manage_account(user, account) and user is not None and user.id != account.id


def can_change_role(user: Account | None, account: Account, role: AccountRole | str) -> bool:
    if AccountRole(role) == account.role:
        return can_manage_account(user, account)
    return can_manage_account(user, account) and can_grant_role(user, role) and user is not None and user.id != account.id


# --- documents and comments ---

def can_add_document(user: Account | None, jco: Jco | None) -> bool:
    """A JCO's documents come from its lead or the Secretariat; other documents from the Secretariat."""
    if jco is None:
        return is_secretariat(user)
    return can_upload_document(user, jco)


def can_attach_file(user: Account | None, document: Document) -> bool:
    """Add the file to a document registered without one (a file is never replaced)."""
    if document.file_id is not None or document.file_withheld:
        return False
    return can_add_document(user, document.jco)


def can_see_all_comments(user: Account | None, round_: CommentRound) -> bool:
    """Every delegation's comment on a round: the lead, the Secretariat and managers, if cleared
    for the document the comments are about."""
    return can_view_all_comments(user, round_.jco) and can_view_document_details(user, round_.document)


def can_write_comment(user: Account | None, round_: CommentRound) -> bool:
    """A delegate comments for its delegation on an open operation's document it may read."""
    return (
        can_comment(user, round_)
        and State(round_.jco.state).is_open
        and can_view_document_details(user, round_.document)
    )


def can_see_comment(user: Account | None, comment: Comment, round_: CommentRound) -> bool:
    own = user is not None and is_delegate(user) and comment.organisation_id == user.organisation_id
    return (own and can_view_document_details(user, round_.document)) or can_see_all_comments(user, round_)


def can_export_compilation(user: Account | None, round_: CommentRound) -> bool:
    """The compilation of a round's comments is the lead's and the Secretariat's working document;
    it quotes every comment, so the reader must be cleared for the document they are about."""
    return (is_secretariat(user) or leads_jco(user, round_.jco)) and can_view_document_details(user, round_.document)


def can_respond_to_comment(user: Account | None, round_: CommentRound) -> bool:
    """The lead delegation says how each comment was taken into account in its revision."""
    return (leads_jco(user, round_.jco) and State(round_.jco.state).is_open
            and can_view_document_details(user, round_.document))


def can_see_response(user: Account | None, comment: Comment, round_: CommentRound, revision_presented: bool) -> bool:
    """The lead's response: the lead and the Secretariat at once; once the revised document is
    presented, whoever sees the comment (its delegation above all)."""
    if (is_secretariat(user) or leads_jco(user, round_.jco)) and can_view_document_details(user, round_.document):
        return True
    return revision_presented and can_see_comment(user, comment, round_)


def can_download_comment_file(user: Account | None, comment: Comment, round_: CommentRound) -> bool:
    return comment.file_id is not None and can_see_comment(user, comment, round_)


# --- deadlines, calendars, agendas and notes ----------------------------------------------------

def can_view_all_deadlines(user: Account | None) -> bool:
    """The Secretariat and managers follow every deadline; a delegate follows its delegation's."""
    return is_secretariat(user) or _role(user) == AccountRole.MANAGER


def can_subscribe_calendar(user: Account | None) -> bool:
    return can_view(user)


def can_export_agenda(user: Account | None) -> bool:
    """Every account may take the agenda away; titles in it still go through document_title_for."""
    return can_view(user)


# --- JCO steps, meetings, audit ---

from jco.operations.lifecycle import RESULTS_STATES, Transition  # noqa: E402  (kept with the predicates below)

# The life-cycle steps offered as buttons on a JCO's page. Presenting and adopting business cases
# and reports are decided at meetings, so they happen only through an agenda item's outcome.
BUTTON_TRANSITIONS = frozenset({
    Transition.START_OPERATION, Transition.END_OPERATION, Transition.WITHDRAW, Transition.CLOSE,
    Transition.POSTPONE, Transition.RESUME, Transition.CANCEL,
})


def can_edit_participants(user: Account | None, jco: Jco) -> bool:
    return can_edit_jco(user, jco)


def can_transition(user: Account | None, jco: Jco, transition: Transition | str) -> bool:
    """Whether this account may take the step by hand; whether the life cycle allows it now is
    the life cycle's question (it answers with a message, not a refusal of access)."""
    try:
        transition = Transition(transition)
    except ValueError:
        return False
    if transition not in BUTTON_TRANSITIONS or not State(jco.state).is_open or not jco.is_ccwp:
        return False
    if transition is Transition.CLOSE:
        return is_secretariat(user)
    if transition is Transition.WITHDRAW:
        return can_withdraw(user, jco)
    return is_secretariat(user) or leads_jco(user, jco)


def can_add_results(user: Account | None, jco: Jco) -> bool:
    """The lead or the Secretariat, once the operation is over (debriefing or later).

    After closing, only the Secretariat may still correct the figures.
    """
    state = State(jco.state)
    if state not in RESULTS_STATES or not jco.is_ccwp:
        return False
    if state is State.CLOSED:
        return is_secretariat(user)
    return is_secretariat(user) or leads_jco(user, jco)


def markings_cleared_for(user: Account | None) -> list[str]:
    """Every marking this account may read, for filtering rows in SQL."""
    return [m.value for m in Marking if is_cleared_for(user, m)]


def can_view_jco_history(user: Account | None, jco: Jco) -> bool:
    """The full change log of a JCO shows every delegation's activity (comments included), so it
    is for those who read all of it anyway: the Secretariat, the lead and managers."""
    return can_view_all_comments(user, jco)


# --- API ---

def can_create_api_token(user: Account | None) -> bool:
    """Every active account may use the API with the same rights it has on the pages."""
    return can_view(user)


def can_revoke_api_token(user: Account | None, token: ApiToken) -> bool:
    return user is not None and _role(user) is not None and token.account_id == user.id


# --- My page and watching ---

def can_watch(user: Account | None, jco: Jco) -> bool:
    """Any account that may read an operation may follow its changes."""
    return can_view_jco(user, jco)


def can_view_status_board(user: Account | None) -> bool:
    """Where every open operation stands: what the register shows, arranged by stage."""
    return can_view_dashboard(user)


# --- agenda requests ---

def can_request_agenda_place(user: Account | None, jco: Jco) -> bool:
    """A delegate of an open working-party operation's lead or co-lead may ask for one of its
    documents to be put on a coming meeting's agenda (jco.meetings.requests checks the rest)."""
    return jco.is_ccwp and State(jco.state).is_open and leads_jco(user, jco)


def can_answer_agenda_requests(user: Account | None) -> bool:
    """The Secretariat builds the agendas, so it accepts or declines what the leads ask for."""
    return is_secretariat(user)


def can_view_agenda_requests(user: Account | None, jco: Jco) -> bool:
    """Requests and their answers are between the lead and the Secretariat."""
    return is_secretariat(user) or leads_jco(user, jco)
