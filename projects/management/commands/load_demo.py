"""``manage.py load_demo``: what ``make run`` does after migrating.

Loads ``fixtures/*.json`` into an empty database (a database that already has a year plan
is left alone, so a clerk's trials survive a restart) and makes the demo login, a superuser,
then one demo login per group of ``projects.access``: a county leader, a bureau clerk, and a
department clerk of the demo department that owns the most key projects. All only on the
embedded SQLite database with debug on: never on a real deployment. The demo's photos and
documents are drawn and attached afterwards (``projects.demo_files``). ``--address`` is where
``runserver`` will serve (``make run`` passes its HOST:PORT), so that the address printed is
the one to open.
"""

from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Count

from projects import access, demo_files
from projects.models import Department, YearPlan

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "jiaxian-demo-2023"
# One login per group: (username, password, group, a member of a department?).
DEMO_GROUP_LOGINS = (
    ("leader", "jiaxian-leader-2023", access.LEADERS_GROUP, False),
    ("bureau", "jiaxian-bureau-2023", access.BUREAU_STAFF_GROUP, False),
    ("clerk", "jiaxian-clerk-2023", access.DEPARTMENT_STAFF_GROUP, True),
)


def is_embedded_demo_database() -> bool:
    """True only for the SQLite file that a fresh checkout uses when DATABASE_URL is unset."""
    name = settings.DATABASES["default"].get("NAME")
    return connection.vendor == "sqlite" and Path(str(name)) == Path(settings.DEFAULT_SQLITE_PATH)


class Command(BaseCommand):
    help = "Load the demo data into an empty embedded database and make the demo admin login."

    def add_arguments(self, parser):
        parser.add_argument(
            "--address",
            default="127.0.0.1:8000",
            help="HOST:PORT that runserver serves (make run passes its own); printed with the logins.",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG or not is_embedded_demo_database():
            raise CommandError(
                "load_demo only runs on the embedded SQLite database with DJANGO_DEBUG=1; "
                "it never makes a demo login on a real deployment."
            )
        fixtures = sorted(str(path) for path in (Path(settings.BASE_DIR) / "fixtures").glob("*.json"))
        if YearPlan.objects.exists():
            self.stdout.write("Demo data: the database already has data; left as it is.")
        else:
            call_command("loaddata", *fixtures, verbosity=0)
            self.stdout.write(f"Demo data: loaded {len(fixtures)} fixture files.")
            attached = demo_files.attach_plan(Path(settings.BASE_DIR) / "fixtures" / "attachments" / "plan.json")
            self.stdout.write(f"Demo data: attached {attached} drawn photos and documents.")
        user, _created = get_user_model().objects.get_or_create(
            username=DEMO_USERNAME, defaults={"is_staff": True, "is_superuser": True}
        )
        user.is_staff = user.is_superuser = user.is_active = True
        user.set_password(DEMO_PASSWORD)
        user.save()
        lines = [f"  Demo login: user {DEMO_USERNAME}  password {DEMO_PASSWORD}  (superuser)"]
        lines += self.group_logins()
        self.stdout.write(
            self.style.SUCCESS(
                f"\n  Jiaxian investment pipeline: http://{options['address']}/admin/\n" + "\n".join(lines) + "\n"
            )
        )

    def group_logins(self) -> list[str]:
        """Make (or reset) one staff login per group; the department clerk belongs to the
        department owning the most key projects (ties: the first code). Returns their lines."""
        department = Department.objects.annotate(projects=Count("key_projects")).order_by("-projects", "code").first()
        lines = []
        for username, password, group_name, in_department in DEMO_GROUP_LOGINS:
            group = Group.objects.filter(name=group_name).first()
            if group is None:
                raise CommandError(f"The group {group_name} is missing: run manage.py migrate first.")
            user, _created = get_user_model().objects.get_or_create(username=username)
            user.is_staff = user.is_active = True
            user.is_superuser = False
            # An address the reminders' e-mails can go to (the console with debug on; .invalid
            # is never a real domain).
            user.email = f"{username}@demo.invalid"
            user.set_password(password)
            user.save()
            user.groups.set([group])
            user.departments.set([department] if in_department and department is not None else [])
            where = f", {department}" if in_department and department is not None else ""
            lines.append(f"  Demo login: user {username}  password {password}  ({group_name}{where})")
        return lines
