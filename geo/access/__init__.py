"""Who may do what: the role matrix (``roles``) and local accounts (``accounts``)."""
from geo.access import accounts as accounts
from geo.access import roles as roles
