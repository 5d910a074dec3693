import argparse
import time

from django.core.management.base import BaseCommand, CommandError

from demo.evaluation import seed_evaluation
from demo.generator import MEMBERS_PER_BRANCH, DemoBuilder, build_and_write
from demo.graduates import seed_graduates
from demo.rating import seed_rating
from demo.standing import seed_standing
from orgs.models import Org
from people.models import Person


def branch_size(text: str) -> tuple[int, int]:
    try:
        low, high = (int(x) for x in text.split("-"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}”不是 MIN-MAX 形式，例如 8-28。") from None
    if not 3 <= low <= high <= 500:
        raise argparse.ArgumentTypeError(f"团支部人数范围 {text} 无效：须满足 3 ≤ MIN ≤ MAX ≤ 500。")
    return low, high


class Command(BaseCommand):
    help = "生成一个可信的演示省份（组织树、团干部、团员，身份证号码有效），结果可复现；--members 控制规模。"

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, default=3000, help="团员总数（约数，默认 3000）")
        parser.add_argument("--seed", type=int, default=2026, help="随机种子，同一种子生成同样的数据")
        parser.add_argument(
            "--branch-size",
            type=branch_size,
            default=MEMBERS_PER_BRANCH,
            help="每个团支部的团员数范围 MIN-MAX（默认 24-40；8-28 接近全国每个组织约 18 人的比例）",
        )
        parser.add_argument("--if-empty", action="store_true", help="数据库已有组织时什么也不做（供 make run 使用）")

    def handle(self, *args, members: int, seed: int, branch_size: tuple[int, int], if_empty: bool, **options):
        if Org.objects.exists():
            if if_empty:
                self.stdout.write("数据库中已有数据，跳过演示数据生成。")
                self._reprint_logins(seed)
                return
            raise CommandError("数据库中已有组织，演示数据只能载入空数据库。")
        started = time.monotonic()
        plan = build_and_write(seed=seed, members=members, branch_size=branch_size)
        seed_rating()  # this year's 对标定级 round, its branches in every state
        seed_evaluation()  # this year's 两制 round, its branches in every state
        seed_standing()  # members past 28, one pending status change, one member who left
        seed_graduates()  # a class marked to graduate next June, this June's switched to 毕业生团组织, half sent out
        orgs = sum(len(v) for v in plan.orgs_by_depth.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"已生成 {orgs} 个组织、{len(plan.people)} 名人员，用时 {time.monotonic() - started:.1f} 秒。"
            )
        )
        self._print_logins(plan.logins)

    def _print_logins(self, logins) -> None:
        self.stdout.write("演示账号（登录名为身份证号码）：")
        for login in logins:
            self.stdout.write(f"  {login.role:<10} {login.name:<4} {login.id_number}  密码 {login.password}")

    def _reprint_logins(self, seed: int) -> None:
        """On a database seeded before, print the demo logins again (the skeleton is the same for any
        --members), but only if they are really there: never invent logins for a real database."""

        logins = DemoBuilder(seed=seed, members=0).build().logins
        if all(Person.objects.by_id_number(x.id_number).filter(name=x.name).exists() for x in logins):
            self._print_logins(logins)
