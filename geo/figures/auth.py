"""Who may change the figures: planner accounts, sign-in, throttling.

Viewers see the maps without signing in. Importing, rolling back and deleting batches need a
:class:`Planner`, which only this module hands out:

* **Password** — :meth:`Authenticator.sign_in` checks a name and password against the accounts
  file (salted Argon2id hashes from ``argon2-cffi``). A wrong name and a wrong password get the
  same answer ("Tên đăng nhập hoặc mật khẩu không đúng") and take the same time: an unknown name
  is checked against a dummy hash. Repeated failures are throttled per name and globally
  (:class:`Throttle`).
* **OIDC** — when Streamlit's ``[auth]`` section is configured in ``secrets.toml``, the page offers
  ``st.login()``; :func:`planner_from_oidc` accepts the signed-in user when their e-mail is listed
  in the accounts file (``[oidc] planner_emails`` or a user's ``email``).
* **Shell** — :func:`shell_operator`: whoever runs ``python -m geo`` on the server can already
  read and write the database file, so the command line trusts them and records their OS login
  (``--user NAME`` asks for that planner's password instead).

The accounts file is ``config/accounts.toml`` (``ATLAS_ACCOUNTS`` overrides); it is not committed.
Format (see ``config/accounts.example.toml``)::

    [users."lan"]
    password_hash = "$argon2id$v=19$m=65536,t=3,p=4$…"
    email = "lan@example.gov.vn"      # optional: lets this person sign in through OIDC

    [oidc]
    planner_emails = ["tuan@example.gov.vn"]

Add a user with ``python -m geo user add NAME`` (prompts twice) or ``--password-stdin``.
"""

from __future__ import annotations

import getpass
import os
import re
import threading
import time
import tomllib
import unicodedata
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from geo.errors import AccessDeniedError
from geo.files import write_atomically

__all__ = [
    "ACCOUNTS_ENV",
    "DEFAULT_ACCOUNTS_PATH",
    "SYSTEM",
    "Account",
    "Accounts",
    "Authenticator",
    "Planner",
    "SignInError",
    "Throttle",
    "accounts_path",
    "add_user",
    "hash_password",
    "oidc_configured",
    "planner_from_oidc",
    "require_planner",
    "shell_operator",
]

ACCOUNTS_ENV = "ATLAS_ACCOUNTS"
DEFAULT_ACCOUNTS_PATH = Path(__file__).resolve().parents[2] / "config" / "accounts.toml"
#: Names are ASCII so they survive every terminal, log and TOML key.
_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
MIN_PASSWORD_LENGTH = 10

#: Reason codes of :class:`SignInError` (the UI translates them).
BAD_CREDENTIALS = "bad_credentials"
THROTTLED = "throttled"


# --- who ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Planner:
    """A person (or the system) allowed to change figures.

    Parameters
    ----------
    name : str
        Recorded on every batch they make: the account name, the OIDC e-mail or the OS login.
    method : str
        How they were identified: ``"password"``, ``"oidc"``, ``"shell"`` or ``"system"``.
    """

    name: str
    method: str


#: The author of the demo batches the store seeds itself with.
SYSTEM = Planner("system", "system")


def require_planner(user: object, *, action: str) -> Planner:
    """Return ``user`` if it is a :class:`Planner`, else raise :class:`AccessDeniedError`.

    Parameters
    ----------
    user : object
        Whatever the caller holds: a :class:`Planner`, or ``None`` / a name for a viewer.
    action : str
        What was attempted (for the message), e.g. ``"import"``.
    """
    if isinstance(user, Planner):
        return user
    raise AccessDeniedError("access", f"{action} needs a signed-in planner")


def shell_operator() -> Planner:
    """The person running the command line, trusted as a planner (see the module docstring)."""
    try:
        login = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (some containers)
        login = f"uid{os.getuid()}" if hasattr(os, "getuid") else "unknown"
    return Planner(f"os:{login}", "shell")


# --- accounts file -----------------------------------------------------------------------------


def accounts_path() -> Path:
    """The accounts file: ``$ATLAS_ACCOUNTS`` or ``config/accounts.toml``."""
    return Path(os.environ.get(ACCOUNTS_ENV) or DEFAULT_ACCOUNTS_PATH)


def _normalise_name(name: str) -> str:
    return unicodedata.normalize("NFC", name).strip().casefold()


@dataclass(frozen=True)
class Account:
    """One planner account of the accounts file."""

    name: str
    password_hash: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class Accounts:
    """The planner accounts (an empty set when the file does not exist).

    Parameters
    ----------
    users : mapping of str to Account
        By normalised name.
    planner_emails : frozenset of str
        Lower-case e-mails accepted as planners after an OIDC sign-in.
    path : Path or None
        Where they were read from.
    """

    users: Mapping[str, Account] = field(default_factory=dict)
    planner_emails: frozenset[str] = frozenset()
    path: Path | None = None

    @classmethod
    def load(cls, path: str | os.PathLike[str] | None = None) -> Accounts:
        """Read the accounts file (``None``: :func:`accounts_path`); missing file → no accounts.

        Raises
        ------
        AccessDeniedError
            When the file exists but is not valid TOML or has a malformed entry (the app must not
            silently run without its planners).
        """
        file = Path(path) if path is not None else accounts_path()
        if not file.exists():
            return cls(path=file)
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise AccessDeniedError(
                file.name, f"the accounts file is not valid TOML: {exc}"
            ) from None
        users: dict[str, Account] = {}
        for name, entry in (data.get("users") or {}).items():
            if not isinstance(entry, dict):
                raise AccessDeniedError(file.name, f"users.{name} must be a table", where=name)
            key = _normalise_name(name)
            email = entry.get("email")
            users[key] = Account(
                key,
                entry.get("password_hash") or None,
                email.strip().lower() if isinstance(email, str) and email.strip() else None,
            )
        emails = {e.strip().lower() for e in (data.get("oidc") or {}).get("planner_emails", [])}
        emails |= {account.email for account in users.values() if account.email}
        return cls(users=users, planner_emails=frozenset(emails), path=file)


def hash_password(password: str, *, hasher: PasswordHasher | None = None) -> str:
    """Salted Argon2id hash of ``password`` (argon2-cffi's recommended parameters)."""
    return (hasher or PasswordHasher()).hash(password)


def add_user(
    name: str,
    password: str,
    *,
    path: str | os.PathLike[str] | None = None,
    email: str | None = None,
    replace: bool = False,
    hasher: PasswordHasher | None = None,
) -> Path:
    """Add a planner (or, with ``replace``, set a new password) in the accounts file.

    New users are appended so the comments of the file survive; the file is written atomically
    and readable by its owner only.

    Parameters
    ----------
    name : str
        Lower-case ASCII: letters, digits, ``_ . -`` (at most 64 characters).
    password : str
        At least :data:`MIN_PASSWORD_LENGTH` characters.
    path : str or path, optional
        Accounts file; defaults to :func:`accounts_path`.
    email : str, optional
        E-mail for OIDC sign-in.
    replace : bool
        Allow replacing an existing user's password hash (and e-mail).
    hasher : argon2.PasswordHasher, optional
        For tests (cheap parameters).

    Returns
    -------
    Path
        The accounts file.

    Raises
    ------
    ValueError
        Bad name, short password, or an existing user without ``replace``.
    """
    key = _normalise_name(name)
    if not _NAME_RE.match(key):
        raise ValueError(
            f"user name {name!r}: use lower-case letters, digits, '_', '.', '-' (max 64)"
        )
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")
    file = Path(path) if path is not None else accounts_path()
    existing = Accounts.load(file)
    if key in existing.users and not replace:
        raise ValueError(f"user {key!r} exists already (use --replace to set a new password)")
    text = file.read_text(encoding="utf-8") if file.exists() else _ACCOUNTS_HEADER
    section = f'[users."{key}"]\npassword_hash = "{hash_password(password, hasher=hasher)}"\n'
    if email:
        section += f'email = "{email.strip().lower()}"\n'
    if key in existing.users:
        # Replace the user's whole table: from its header to the next header (or the end).
        pattern = re.compile(
            rf'^\[users\.(?:"{re.escape(key)}"|{re.escape(key)})\]\s*\n(?:(?!\[).*\n?)*',
            re.MULTILINE,
        )
        text = pattern.sub(lambda _match: section + "\n", text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    _write_private(file, text)
    return file


_ACCOUNTS_HEADER = (
    "# Planner accounts of the Commune Atlas (python -m geo user add NAME).\n"
    "# Holds password hashes: keep it out of version control, readable by the app only.\n"
)


def _write_private(file: Path, text: str) -> None:
    write_atomically(file, lambda p: p.write_text(text, encoding="utf-8"), mode=0o600)


# --- throttling --------------------------------------------------------------------------------


@dataclass
class _Failures:
    count: int = 0
    last: float = 0.0


class Throttle:
    """Slow down repeated failed sign-ins, per name and for the whole server.

    Per name: the first ``free_attempts`` failures cost nothing; after that the name is locked for
    ``base_delay × 2^(failures − free_attempts − 1)`` seconds (capped at ``max_delay``) after each
    failure. A success, or ``forget_after`` seconds without failures, resets the count.
    Globally: more than ``global_limit`` failures (any names) within ``global_window`` seconds lock
    every sign-in until the window has moved on — a brake on guessing across many names. A locked
    attempt is refused before the password is checked and does not count as a failure.

    State lives in memory (one server process); it is thread-safe. ``clock`` is injectable so
    tests need not sleep.

    Examples
    --------
    >>> now = [0.0]
    >>> throttle = Throttle(clock=lambda: now[0], free_attempts=1, base_delay=2)
    >>> throttle.failure("lan"); throttle.retry_after("lan")
    0.0
    >>> throttle.failure("lan"); throttle.retry_after("lan")
    2.0
    >>> now[0] = 2.0; throttle.retry_after("lan")
    0.0
    """

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        free_attempts: int = 3,
        base_delay: float = 1.0,
        max_delay: float = 900.0,
        forget_after: float = 3600.0,
        global_limit: int = 100,
        global_window: float = 300.0,
        max_names: int = 10_000,
    ) -> None:
        self._clock = clock
        self.free_attempts = free_attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.forget_after = forget_after
        self.global_limit = global_limit
        self.global_window = global_window
        self._max_names = max_names
        self._names: dict[str, _Failures] = {}
        self._recent: deque[float] = deque()
        self._lock = threading.Lock()

    def _delay(self, failures: int) -> float:
        over = failures - self.free_attempts
        return 0.0 if over <= 0 else min(self.max_delay, self.base_delay * 2.0 ** (over - 1))

    def retry_after(self, name: str) -> float:
        """Seconds until ``name`` may try again (0 when it may try now)."""
        now = self._clock()
        with self._lock:
            while self._recent and self._recent[0] <= now - self.global_window:
                self._recent.popleft()
            wait = 0.0
            if len(self._recent) >= self.global_limit:
                wait = self._recent[0] + self.global_window - now
            state = self._names.get(_normalise_name(name))
            if state is not None:
                wait = max(wait, state.last + self._delay(state.count) - now)
            return max(0.0, wait)

    def failure(self, name: str) -> None:
        """Record a failed attempt for ``name``."""
        now = self._clock()
        key = _normalise_name(name)
        with self._lock:
            self._recent.append(now)
            state = self._names.get(key)
            if state is None or now - state.last > self.forget_after:
                state = _Failures()
            state.count += 1
            state.last = now
            self._names[key] = state
            if len(self._names) > self._max_names:
                # Forget the quietest names first: memory stays bounded whatever names are tried.
                for old in sorted(self._names, key=lambda k: self._names[k].last)[
                    : len(self._names) - self._max_names
                ]:
                    del self._names[old]

    def success(self, name: str) -> None:
        """Forget the failures of ``name``."""
        with self._lock:
            self._names.pop(_normalise_name(name), None)


# --- sign-in -----------------------------------------------------------------------------------


@dataclass
class SignInError(AccessDeniedError):
    """A sign-in was refused.

    ``reason`` is :data:`BAD_CREDENTIALS` (never says whether the name or the password was wrong)
    or :data:`THROTTLED` (``retry_after`` seconds to wait).
    """

    reason: str = BAD_CREDENTIALS
    retry_after: float = 0.0


class Authenticator:
    """Check planner passwords against :class:`Accounts`, with a :class:`Throttle`.

    Parameters
    ----------
    accounts : Accounts
        The planner accounts.
    hasher : argon2.PasswordHasher, optional
        Defaults to argon2-cffi's recommended parameters.
    throttle : Throttle, optional
        Defaults to a fresh :class:`Throttle`.
    """

    def __init__(
        self,
        accounts: Accounts,
        *,
        hasher: PasswordHasher | None = None,
        throttle: Throttle | None = None,
    ) -> None:
        self.accounts = accounts
        self.hasher = hasher or PasswordHasher()
        self.throttle = throttle or Throttle()
        # Unknown names are checked against this, so they cost what a wrong password costs.
        self._dummy_hash = self.hasher.hash(os.urandom(16).hex())

    def sign_in(self, name: str, password: str) -> Planner:
        """Return the :class:`Planner` called ``name`` if ``password`` is theirs.

        Raises
        ------
        SignInError
            Wrong name or password (one message for both), or too many recent failures.
        """
        key = _normalise_name(name)
        wait = self.throttle.retry_after(key)
        if wait > 0:
            raise SignInError(
                "sign-in",
                f"too many failed sign-ins; try again in {wait:.0f} s",
                reason=THROTTLED,
                retry_after=wait,
            )
        account = self.accounts.users.get(key)
        stored = account.password_hash if account is not None else None
        ok = self._verify(stored or self._dummy_hash, password) and stored is not None
        if not ok:
            self.throttle.failure(key)
            raise SignInError("sign-in", "wrong user name or password", reason=BAD_CREDENTIALS)
        self.throttle.success(key)
        return Planner(key, "password")

    def _verify(self, stored: str, password: str) -> bool:
        try:
            return bool(self.hasher.verify(stored, password))
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False


# --- OIDC (Streamlit st.login) -----------------------------------------------------------------


def oidc_configured(secrets: Mapping[str, Any]) -> bool:
    """Tell whether Streamlit's ``[auth]`` section is configured (so ``st.login`` works)."""
    try:
        return "auth" in secrets
    except Exception:  # st.secrets raises when there is no secrets file at all
        return False


def planner_from_oidc(user_info: Mapping[str, Any], accounts: Accounts) -> Planner | None:
    """The planner behind a Streamlit OIDC sign-in (``st.user.to_dict()``), or ``None``.

    Accepted when the user is logged in, their e-mail is listed in ``accounts`` and the identity
    provider did not say the e-mail is unverified.
    """
    if not user_info.get("is_logged_in"):
        return None
    email = user_info.get("email")
    if not isinstance(email, str) or user_info.get("email_verified") is False:
        return None
    email = email.strip().lower()
    return Planner(email, "oidc") if email in accounts.planner_emails else None
