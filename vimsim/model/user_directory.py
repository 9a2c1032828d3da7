"""UserDirectory: the users and groups of vCenter's single sign-on domain, for searches and
for the principals of permissions.

The users are the fixture's (``vc.users``), in the vsphere.local domain; the groups are the
ones vCenter creates in that domain. Every Admin-role user is a member of Administrators,
every user of Users.
"""
from vimsim.model import faults
from vimsim.model.objects import ManagedObject, vim_property
from vimsim.vim25.data import DataObject

SSO_DOMAIN = "vsphere.local"
DOMAINS = (SSO_DOMAIN, "localos")
# How domainList spells them (clients compare a domain upper-cased against it).
DOMAIN_LIST = ("VSPHERE.LOCAL", "LOCALOS")
MODIFY_PERMISSIONS = "Authorization.ModifyPermissions"
# The groups of the vsphere.local domain on a new vCenter 8.0, with their descriptions.
GROUPS = {
    "ActAsUsers": "Act-As Users",
    "Administrators": "Administrators",
    "CAAdmins": "CA Administrators",
    "ComponentManager.Administrators": "Component Manager Administrators",
    "DCAdmins": "Domain Controller Administrators",
    "DCClients": "Domain Controller Clients",
    "ExternalIDPUsers": "External IDP Users",
    "LicenseService.Administrators": "License Service Administrators",
    "SolutionUsers": "Solution Users",
    "SystemConfiguration.Administrators": "System Configuration Administrators",
    "SystemConfiguration.BashShellAdministrators": "Bash Shell Administrators",
    "TrustedAdmins": "Trusted Infrastructure Administrators",
    "Users": "Users",
}


def split_principal(principal):
    """(domain or None, name) of ``DOMAIN\\name``, ``name@domain`` or a bare ``name``."""
    if "\\" in principal:
        domain, _, name = principal.partition("\\")
        return domain, name
    name, at, domain = principal.rpartition("@")
    if at and domain.lower() in DOMAINS:
        return domain, name
    return None, principal


class UserDirectory(ManagedObject):
    vim_type = "UserDirectory"

    def __init__(self, vc, moid="UserDirectory"):
        super().__init__(vc, moid)

    # -- principals ------------------------------------------------------------------------

    def find_user(self, principal):
        """The fixture user a permission's principal names, or None."""
        user = self.vc.users.get(principal)
        if user is not None:
            return user
        domain, name = split_principal(principal)
        if domain is not None and domain.lower() != SSO_DOMAIN:
            return None
        return next((u for u in self.vc.users.values() if u.name.lower() == name.lower()), None)

    def find_group(self, principal):
        """The canonical name of the group a principal names, or None."""
        domain, name = split_principal(principal)
        if domain is not None and domain.lower() != SSO_DOMAIN:
            return None
        return next((g for g in GROUPS if g.lower() == name.lower()), None)

    def knows(self, principal, group):
        return (self.find_group(principal) if group else self.find_user(principal)) is not None

    def members(self, group):
        """The users directly in ``group``."""
        users = self.vc.users.values()
        if group == "Users":
            return list(users)
        if group == "Administrators":
            return [u for u in users if u.role == "Admin"]
        return []

    # -- vim25 -----------------------------------------------------------------------------

    def RetrieveUserGroups(self, ctx, searchStr, exactMatch, findUsers, findGroups, domain=None,
                           belongsToGroup=None, belongsToUser=None):
        from vimsim.model import authorization  # which imports this module's names
        authorization.require(self.vc, ctx, None, MODIFY_PERMISSIONS, obj=self)
        if domain and domain.lower() not in DOMAINS:
            raise faults.NotFound("The domain '%s' could not be found." % domain)
        if domain and domain.lower() != SSO_DOMAIN:
            return []  # the appliance's local accounts are not modelled
        users = list(self.vc.users.values())
        groups = list(GROUPS)
        if belongsToGroup is not None:
            group = self.find_group(belongsToGroup)
            users = self.members(group) if group else []
            groups = []
        if belongsToUser is not None:
            user = self.find_user(belongsToUser)
            groups = [g for g in groups if user in self.members(g)] if user else []
            users = []
        found = []
        if findUsers:
            found += [DataObject("UserSearchResult", principal=u.name, fullName=u.full_name,
                                 group=False)
                      for u in users if _matches(searchStr, exactMatch, u.name, u.full_name)]
        if findGroups:
            found += [DataObject("UserSearchResult", principal=g, fullName=GROUPS[g], group=True)
                      for g in groups if _matches(searchStr, exactMatch, g, GROUPS[g])]
        return found

    @vim_property
    def domainList(self, ctx):
        return list(DOMAIN_LIST)


def _matches(search, exact, name, description):
    """vCenter's rule: a case-insensitive substring of the name or description; with
    ``exact``, the name itself."""
    search = (search or "").lower()
    if exact:
        return name.lower() == search
    return search in name.lower() or search in (description or "").lower()
