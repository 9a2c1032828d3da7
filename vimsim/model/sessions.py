"""Sessions, users and the call context every front-end hands the model."""
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


class Role:
    """A system role as vCenter 8.0 ships it: roleId, name, label, summary, and privileges."""

    def __init__(self, role_id, name, label, summary, privileges):
        self.role_id, self.name, self.label, self.summary = role_id, name, label, summary
        self.privileges = frozenset(privileges)

    def grants(self, privilege):
        return privilege in self.privileges


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

    def has_privilege(self, privilege):
        return ROLES[self.role].grants(privilege)


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
            messageLocale=self.locale, extensionSession=False,
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


class SessionManager(ManagedObject):
    vim_type = "SessionManager"

    def __init__(self, vc, moid="SessionManager"):
        super().__init__(vc, moid)
        self.sessions = {}  # cookie -> Session

    def live_session(self, cookie):
        """The live session a cookie (or session id) names, or None; nothing about it changes
        (the HTTP layer asks this of a request's head before reading its body)."""
        return self.sessions.get(cookie) if cookie else None

    def session_for_cookie(self, cookie):
        """The live session a cookie names, counted as used now; or None."""
        session = self.live_session(cookie)
        if session is not None:
            session.last_active = self.vc.clock.now()
            session.call_count += 1
        return session

    def login(self, user_name, password, ip_address=None, user_agent=None, locale="en"):
        """A new session for valid credentials (every API's login ends here); InvalidLogin."""
        user = self.vc.users.get(user_name)
        address = ip_address or "127.0.0.1"
        if user is None or user.password != password:
            self.vc.event_manager.post(
                "BadUsernameSessionEvent", message="Cannot login %s@%s" % (user_name, address),
                user=user_name if isinstance(user_name, str) else "", ipAddress=address)
            raise faults.InvalidLogin()
        session = Session(user, self.vc.clock, ip_address, user_agent, locale)
        self.sessions[session.cookie] = session
        self.vc.event_manager.post(
            "UserLoginSessionEvent", message="User %s@%s logged in as %s" % (
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

    def Logout(self, ctx):
        self._end(ctx.session)
        ctx.session = None

    def SessionIsActive(self, ctx, sessionID, userName):
        return any(s.key == sessionID and s.user.name == userName
                   for s in self.sessions.values())

    def _end(self, session):
        if self.sessions.pop(session.cookie, None) is not None:
            address = session.ip_address or "127.0.0.1"
            self.vc.event_manager.post(
                "UserLogoutSessionEvent", message="User %s@%s logged out (login time: %s, "
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
        return [s.user_session() for s in self.sessions.values()]

    @vim_property
    def defaultLocale(self, ctx):
        return "en"

    @vim_property
    def supportedLocaleList(self, ctx):
        return ["en"]
