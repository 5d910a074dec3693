"""Re-encrypt every person's ID number and mobile under the first PII_ENCRYPTION_KEYS key; with --rehash, re-key the look-up hashes.

Encryption key rotation (Fernet, MultiFernet):
 1. Generate a key: `python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`.
 2. Prepend it: PII_ENCRYPTION_KEYS=NEW,OLD (the first key encrypts, every key decrypts), restart.
 3. `manage.py rotate_pii_keys`: every row is re-encrypted under NEW, in batches, each in its own transaction
    (safe to interrupt and run again; the site stays up).
 4. Drop OLD from PII_ENCRYPTION_KEYS and restart.

Hash key rotation (PII_HASH_KEY): the keyed hashes (id_hash, mobile_hash) are computed from the decrypted
values, so no old key is needed: set the new PII_HASH_KEY, restart, then at once run
`manage.py rotate_pii_keys --rehash`. Until it finishes, people whose rows are not yet re-hashed cannot log
in or be found by ID number, so do it in a quiet hour. Registration codes and reset codes are
hashed with the same key and cannot be re-hashed (their plain text is never stored): outstanding ones stop
working and are issued again.
"""

from cryptography.fernet import InvalidToken
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from core import pii
from people.models import Person


class Command(BaseCommand):
    help = "Re-encrypt ID numbers and mobiles under the newest PII_ENCRYPTION_KEYS key (and re-hash with --rehash)."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=1000)
        parser.add_argument(
            "--rehash", action="store_true", help="also recompute id_hash and mobile_hash with the current PII_HASH_KEY"
        )

    def handle(self, *args, batch_size: int, rehash: bool, **options):
        fernet = pii._fernet()
        table = connection.ops.quote_name(Person._meta.db_table)
        q = connection.ops.quote_name
        id_col, mobile_col = q(Person._meta.get_field("id_number").column), q(Person._meta.get_field("mobile").column)
        last, done = 0, 0
        while True:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    # Raw columns: the ciphertext as stored, not the field's decrypted value.
                    cursor.execute(
                        f"SELECT id, {id_col}, {mobile_col} FROM {table} WHERE id > %s ORDER BY id LIMIT %s",
                        [last, batch_size],
                    )
                    rows = cursor.fetchall()
                    if not rows:
                        break
                    updates = []
                    for pk, id_token, mobile_token in rows:
                        try:
                            new_id = fernet.rotate(id_token.encode()).decode()
                            new_mobile = fernet.rotate(mobile_token.encode()).decode() if mobile_token else mobile_token
                        except InvalidToken:
                            raise CommandError(
                                f"第{pk}号人员的个人信息无法用 PII_ENCRYPTION_KEYS 中的任何密钥解密：旧密钥是否已被删除？"
                            ) from None
                        if rehash:
                            id_number = fernet.decrypt(new_id.encode()).decode()
                            mobile = fernet.decrypt(new_mobile.encode()).decode() if new_mobile else ""
                            updates.append(
                                (
                                    new_id,
                                    new_mobile,
                                    pii.keyed_hash(id_number),
                                    pii.keyed_hash(mobile) if mobile else "",
                                    pk,
                                )
                            )
                        else:
                            updates.append((new_id, new_mobile, pk))
                    if rehash:
                        sql = (
                            f"UPDATE {table} SET {id_col} = %s, {mobile_col} = %s, "
                            f"{q('id_hash')} = %s, {q('mobile_hash')} = %s WHERE id = %s"
                        )
                    else:
                        sql = f"UPDATE {table} SET {id_col} = %s, {mobile_col} = %s WHERE id = %s"
                    cursor.executemany(sql, updates)
            last = rows[-1][0]
            done += len(rows)
            self.stdout.write(f"已处理 {done} 人")
        self.stdout.write(
            self.style.SUCCESS(
                f"完成：共 {done} 人的身份证号码和手机号码已用最新密钥重新加密"
                + ("，检索值已重新计算" if rehash else "")
                + "。"
            )
        )
