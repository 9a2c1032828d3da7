"""Sessions, users and the call context every front-end hands the model."""
import secrets
import uuid

from vimsim.model import faults
from vimsim.model.objects import ManagedObject, vim_property
from vimsim.vim25.data import DataObject

# The system roles vCenter ships, by name: (roleId, privileges; None for all of them).
ROLES = {
    "Admin": (-1, None),
    "ReadOnly": (-2, frozenset(("System.Anonymous", "System.View", "System.Read"))),
    "View": (-3, frozenset(("System.Anonymous", "System.View"))),
    "Anonymous": (-4, frozenset(("System.Anonymous",))),
    "NoAccess": (-5, frozenset()),
}


class User:
    def __init__(self, name, password, role="Admin", full_name=None):
        if role not in ROLES:
            raise ValueError("unknown role %r (one of %s)" % (role, ", ".join(ROLES)))
        self.name, self.password, self.role = name, password, role
        self.full_name = full_name or name

    def has_privilege(self, privilege):
        granted = ROLES[self.role][1]
        return granted is None or privilege in granted


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

    def session_for_cookie(self, cookie):
        session = self.sessions.get(cookie) if cookie else None
        if session is not None:
            session.last_active = self.vc.clock.now()
            session.call_count += 1
        return session

    def login(self, user_name, password, ip_address=None, user_agent=None, locale="en"):
        """A new session for valid credentials (every API's login ends here); InvalidLogin."""
        user = self.vc.users.get(user_name)
        if user is None or user.password != password:
            raise faults.InvalidLogin()
        session = Session(user, self.vc.clock, ip_address, user_agent, locale)
        self.sessions[session.cookie] = session
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
        self.sessions.pop(session.cookie, None)
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
