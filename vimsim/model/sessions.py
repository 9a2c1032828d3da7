"""Sessions, users and the call context every front-end hands the model."""
import collections
import math
import re
import secrets
import uuid

from vimsim.model import faults, privileges
from vimsim.model.objects import ManagedObject, vim_property
from vimsim.vim25.data import DataObject, format_datetime

SYSTEM_PRIVILEGES = frozenset(("System.Anonymous", "System.View", "System.Read"))
# Trusted Infrastructure: what only its administrators hold.
_TRUSTED = frozenset(p for p in privileges.ALL
                     if p.startswith("TrustedAdmin.") or p.startswith("Host.Tpm."))
_CRYPTO = frozenset(p for p in privileges.ALL if p.startswith("Cryptographer.")) | frozenset((
    "Global.Diagnostics", "Host.Inventory.AddHostToCluster", "Host.Inventory.AddStandaloneHost",
    "Host.Local.ManageUserGroups", "VirtualMachine.Interact.GuestControl"))


# What one session may hold at once. maxCollector (32) is what EventManager and TaskManager
# advertise for history collectors; vCenter publishes no figure for the others, so these are
# vimsim's, generous for any client and small enough that a session cannot take the memory.
MAX_HISTORY_COLLECTORS = 32
MAX_PROPERTY_COLLECTORS = 32
MAX_FILTERS = 1000
MAX_VIEWS = 1000

# Login's locale: an ISO 639-1 language, then an ISO 3166 country ("de", "fr_CA", govc's
# "en_US"); the server's messages are in its only supported locale, "en".
_LOCALE = re.compile(r"([a-z]{2})(?:[_-][A-Za-z]{2})?\Z")
_LANGUAGES = frozenset(
    "aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv "
    "cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr "
    "ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw "
    "ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv "
    "ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr "
    "ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi "
    "yo za zh zu".split())
SUPPORTED_LOCALES = ("en",)


def require_locale(locale):
    """InvalidLocale for a locale that is not a language (and country) the server knows."""
    found = _LOCALE.match(locale)
    if found is None or found.group(1) not in _LANGUAGES:
        raise faults.InvalidLocale()


def require_room(session, vim_types, limit, what):
    """InvalidState (as CreateCollectorForEvents answers beyond maxCollector) when
    ``session`` already holds ``limit`` objects of ``vim_types``."""
    if session is None:
        return
    held = sum(1 for o in session.objects.values() if getattr(o, "vim_type", None) in vim_types)
    if held >= limit:
        raise faults.InvalidState("The session already holds %d %s, the most it may."
                                  % (limit, what))


class Role:
    """A system role as vCenter 8.0 ships it: roleId, name, label, summary, and privileges."""

    def __init__(self, role_id, name, label, summary, privileges):
        self.role_id, self.name, self.label, self.summary = role_id, name, label, summary
        self.privileges = frozenset(privileges)


_ALL = frozenset(privileges.ALL)
# The system roles, by name, in the order vCenter lists them.
ROLES = {role.name: role for role in (
    Role(-8, "NoTrustedAdmin", "No Trusted Infrastructure administrator",
         "Full access without Trusted Infrastructure privileges", _ALL - _TRUSTED),
    Role(-7, "TrustedAdmin", "Trusted Infrastructure administrator",
         "Setup and monitoring of Trusted Infrastructure", _TRUSTED | SYSTEM_PRIVILEGES),
    Role(-6, "NoCryptoAdmin", "No cryptography administrator",
         "Full access without Cryptographic operations and Trusted Infrastructure privileges",
         _ALL - _TRUSTED - _CRYPTO),
    Role(-5, "NoAccess", "No access", "Used for restricting granted access", ()),
    Role(-4, "Anonymous", "Anonymous", "Not logged-in user (cannot be granted)",
         ("System.Anonymous",)),
    Role(-3, "View", "View", "Visibility access (cannot be granted)",
         ("System.Anonymous", "System.View")),
    Role(-2, "ReadOnly", "Read-only", "See details of objects, but not make changes",
         SYSTEM_PRIVILEGES),
    Role(-1, "Admin", "Administrator", "Full access rights", _ALL),
)}
ROLES_BY_ID = {role.role_id: role for role in ROLES.values()}


class User:
    def __init__(self, name, password, role="Admin", full_name=None):
        if role not in ROLES:
            raise ValueError("unknown role %r (one of %s)" % (role, ", ".join(ROLES)))
        self.name, self.password, self.role = name, password, role
        self.full_name = full_name or name


class Session:
    def __init__(self, user, clock, ip_address=None, user_agent=None, locale="en"):
        self.user = user
        self.key = str(uuid.uuid4())
        self.cookie = secrets.token_hex(20)
        self.login_time = clock.now()
        self.last_active = self.login_time
        self.ip_address, self.user_agent, self.locale = ip_address, user_agent, locale
        self.call_count = 0
        self.objects = {}  # moId -> session-scoped managed objects (views, filters)

    def user_session(self):
        return DataObject(
            "UserSession", key=self.key, userName=self.user.name, fullName=self.user.full_name,
            loginTime=self.login_time, lastActiveTime=self.last_active, locale=self.locale,
            messageLocale=SUPPORTED_LOCALES[0], extensionSession=False,
            ipAddress=self.ip_address or "127.0.0.1", userAgent=self.user_agent or "",
            callCount=self.call_count)


class CallContext:
    """Who is calling, with which negotiated version, from where."""

    __slots__ = ("session", "version", "ip_address", "user_agent")

    def __init__(self, session=None, version=None, ip_address=None, user_agent=None):
        self.session, self.version = session, version
        self.ip_address, self.user_agent = ip_address, user_agent

    @property
    def user_name(self):
        return self.session.user.name if self.session else None


# vpxd.cfg's settings (OptionManager keys), as vCenter 8.0 U3 reads them: the idle time after
# which a session ends, in minutes (0: never), and the most sessions it holds at once.
TIMEOUT_OPTION = "config.vmacore.soap.sessionTimeout"
MAX_SESSIONS_OPTION = "config.vmacore.soap.maxSessionCount"
DEFAULT_TIMEOUT_MINUTES = 30
DEFAULT_MAX_SESSIONS = 3000
TERMINATE_PRIVILEGE = "Sessions.TerminateSession"  # what reading sessionList needs


def too_many_sessions(limit):
    """Login beyond the cap: vpxd answers HTTP 503 ("Out of HTTP sessions: Limited to N")."""
    fault = faults.system_error("Out of HTTP sessions: Limited to %d" % limit)
    fault.http_status = 503
    return fault


class SessionManager(ManagedObject):
    vim_type = "SessionManager"

    def __init__(self, vc, moid="SessionManager"):
        super().__init__(vc, moid)
        # cookie -> Session, least recently active first: the expired ones are at the front.
        self.sessions = collections.OrderedDict()

    def configure(self, timeout_minutes=None, max_sessions=None):
        """The server's --session-timeout and --max-sessions: written to the OptionManager,
        which is where they are read from (UpdateOptions changes them while running)."""
        settings = self.vc.managers.get("setting")
        for key, value in ((TIMEOUT_OPTION, timeout_minutes), (MAX_SESSIONS_OPTION, max_sessions)):
            if value is not None and settings is not None:
                settings.values[key] = "%g" % value

    def _setting(self, key, default):
        settings = self.vc.managers.get("setting")
        text = settings.value(key) if settings is not None else None
        try:
            value = float(text) if text is not None else default
        except (TypeError, ValueError):  # a vpxd.cfg value vpxd could not read: its default
            return default
        return value if math.isfinite(value) and value >= 0 else default

    def timeout_seconds(self):
        """Idle seconds after which a session ends, on the emulator's clock (None: never)."""
        minutes = self._setting(TIMEOUT_OPTION, DEFAULT_TIMEOUT_MINUTES)
        return minutes * 60 if minutes > 0 else None

    def max_sessions(self):
        return max(1, int(self._setting(MAX_SESSIONS_OPTION, DEFAULT_MAX_SESSIONS)))

    def _expired(self, session, now, timeout):
        return timeout is not None and (now - session.last_active).total_seconds() > timeout

    def reclaim(self):
        """End the sessions idle longer than the timeout (oldest first, so it stops at the
        first live one)."""
        timeout, now = self.timeout_seconds(), self.vc.clock.now()
        while self.sessions:
            session = next(iter(self.sessions.values()))
            if not self._expired(session, now, timeout):
                break
            self._end(session)

    def live_count(self):
        """How many sessions are held, once the expired ones are reclaimed."""
        self.reclaim()
        return len(self.sessions)

    def live_session(self, cookie):
        """The live session a cookie (or session id) names, or None (an expired one too);
        nothing about it changes (the HTTP layer asks this of a request's head before reading
        its body)."""
        session = self.sessions.get(cookie) if cookie else None
        if session is None or self._expired(session, self.vc.clock.now(),
                                            self.timeout_seconds()):
            return None
        return session

    def session_for_cookie(self, cookie):
        """The live session of a cookie (None for an unknown or expired one: the call then
        answers NotAuthenticated); the call counts as activity."""
        session = self.sessions.get(cookie) if cookie else None
        if session is None:
            return None
        now = self.vc.clock.now()
        if self._expired(session, now, self.timeout_seconds()):
            self._end(session)
            return None
        self.active(session, now)
        session.call_count += 1
        return session

    def active(self, session, now=None):
        """``session`` did something now (a call, or an answer it waited for)."""
        session.last_active = now or self.vc.clock.now()
        if session.cookie in self.sessions:
            self.sessions.move_to_end(session.cookie)

    def login(self, user_name, password, ip_address=None, user_agent=None, locale="en"):
        """A new session for valid credentials (every API's login ends here); InvalidLogin."""
        user = self.vc.users.get(user_name)
        address = ip_address or "127.0.0.1"
        if user is None or user.password != password:
            self.vc.event_manager.post(
                "BadUsernameSessionEvent", text="Cannot login %s@%s" % (user_name, address),
                user=user_name if isinstance(user_name, str) else "", ipAddress=address)
            raise faults.InvalidLogin()
        require_locale(locale)
        self.reclaim()
        limit = self.max_sessions()
        if len(self.sessions) >= limit:
            raise too_many_sessions(limit)
        session = Session(user, self.vc.clock, ip_address, user_agent, locale)
        self.sessions[session.cookie] = session
        self.vc.event_manager.post(
            "UserLoginSessionEvent", text="User %s@%s logged in as %s" % (
                user.name, address, user_agent or ""), user=user.name, ipAddress=address,
            userAgent=user_agent or "", locale=locale, sessionId=session.key)
        return session

    def logout(self, session):
        self._end(session)

    def Login(self, ctx, userName, password, locale=None):
        session = self.login(userName, password, ctx.ip_address, ctx.user_agent, locale or "en")
        if ctx.session is not None:
            self._end(ctx.session)
        ctx.session = session
        return session.user_session()

    def SetLocale(self, ctx, locale):
        require_locale(locale)
        ctx.session.locale = locale
        self.vc.touch(self)

    def Logout(self, ctx):
        self._end(ctx.session)
        ctx.session = None

    def TerminateSession(self, ctx, sessionId):
        """The sessions of those keys logged off (govc session.rm): NotFound for a key no
        session has, InvalidArgument for the caller's own (Logout ends that one)."""
        self.reclaim()
        by_key = {s.key: s for s in self.sessions.values()}
        for key in sessionId:
            if ctx.session is not None and key == ctx.session.key:
                raise faults.InvalidArgument(invalidProperty="sessionId")
            if key not in by_key:
                raise faults.NotFound("The session %s was not found." % key)
        for key in sessionId:
            self._end(by_key[key])
        self.vc.touch(self)

    def SessionIsActive(self, ctx, sessionID, userName):
        self.reclaim()
        return any(s.key == sessionID and s.user.name == userName
                   for s in self.sessions.values())

    def _end(self, session):
        if self.sessions.pop(session.cookie, None) is not None:
            address = session.ip_address or "127.0.0.1"
            self.vc.event_manager.post(
                "UserLogoutSessionEvent", text="User %s@%s logged out (login time: %s, "
                "number of API invocations: %d, user agent: %s)" % (
                    session.user.name, address, format_datetime(session.login_time),
                    session.call_count, session.user_agent or ""),
                user=session.user.name, ipAddress=address, userAgent=session.user_agent or "",
                callCount=session.call_count, sessionId=session.key,
                loginTime=session.login_time)
        for obj in list(session.objects.values()):
            obj.destroy()

    @vim_property
    def currentSession(self, ctx):
        return ctx.session.user_session() if ctx.session else None

    @vim_property
    def sessionList(self, ctx):
        # VMware's reference: reading it needs Sessions.TerminateSession (on the root folder).
        from vimsim.model import authorization  # which imports this module's roles
        authorization.require(self.vc, ctx, None, TERMINATE_PRIVILEGE)
        self.reclaim()
        return [s.user_session() for s in self.sessions.values()]

    @vim_property
    def defaultLocale(self, ctx):
        return "en"

    @vim_property
    def supportedLocaleList(self, ctx):
        return list(SUPPORTED_LOCALES)
