import getpass
import os

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from core.exceptions import DomainError
from orgs import services as org_services
from people import services as people_services
from people.admins import org_admin_add
from people.choices import SECRETARY
from people.models import AccountState, Person


class Command(BaseCommand):
    help = "创建根组织（团的领导机关）及其第一位管理员；密码取自环境变量 INIT_ROOT_PASSWORD 或交互输入。只能运行一次。"

    def add_arguments(self, parser):
        parser.add_argument("--name", default="团中央", help="根组织简称（默认：团中央）")
        parser.add_argument("--full-name", default="", help="根组织全称（默认与简称相同）")
        parser.add_argument("--admin-name", required=True)
        parser.add_argument("--admin-id-number", required=True)

    def handle(self, *args, name, full_name, admin_name, admin_id_number, **options):
        password = os.environ.get("INIT_ROOT_PASSWORD") or self._prompt_password()
        try:
            future_admin = Person(name=admin_name, id_number=admin_id_number)
            future_admin.password_policy_admin = True  # the admin's rules (12 characters) from the start
            people_services.validate_new_password(password, future_admin)
            with transaction.atomic():
                root = org_services.org_create_root(short_name=name, full_name=full_name or name)
                person = people_services.person_find(admin_id_number) or people_services.person_create(
                    data={"name": admin_name, "id_number": admin_id_number},
                    password=password,
                    account_state=AccountState.ACTIVE,
                    org=root,
                )
                people_services.cadre_assign(person=person, org=root, position=SECRETARY)
                org_admin_add(org=root, person=person)
        except DomainError as e:
            raise CommandError(e.message) from None
        self.stdout.write(self.style.SUCCESS(f"已创建根组织“{root.full_name}”，管理员：{person.name}。"))

    def _prompt_password(self) -> str:
        if not os.isatty(0):
            raise CommandError("请通过环境变量 INIT_ROOT_PASSWORD 提供管理员密码。")
        first = getpass.getpass("管理员密码：")
        if first != getpass.getpass("再次输入："):
            raise CommandError("两次输入的密码不一致。")
        return first
