"""Sign-in accounts. A member of staff (workforce.Staff) links to at most one account."""

from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    """A person who can sign in to Casework."""

    class Meta:
        db_table = "account_user"
