"""The password hash: Argon2id at OWASP's recommended minimum (19 MiB, 2 passes, 1 lane).

Django's own Argon2 settings (100 MiB, 8 lanes) cost about 200 ms of CPU per
login on these 2-core servers, and PBKDF2 at Django 5.2's 1,000,000 rounds
about 350 ms: at a deadline, logins alone would fill the machine. OWASP's
first recommended Argon2id configuration costs about 20 ms and is
memory-hard, which is what makes it expensive for an attacker with GPUs.
Hashes made with other settings (or by PBKDF2) still verify and are
re-hashed with these on the person's next login.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idHasher(Argon2PasswordHasher):
    algorithm = "argon2"  # the same encoded prefix as Django's: old argon2 hashes verify and get upgraded
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
