"""This stack's settings: project defaults (Pulumi.yaml), then the environment's profile, then the
stack file (Pulumi.<stack>.yaml). Every problem is reported at once, each naming the key and the
command that fixes it; production is refused until it is confirmed."""

from dataclasses import dataclass
from typing import List, Optional

import pulumi

ENVIRONMENTS = ("dev", "staging", "prod")
MAX_PROGRAM_STACKS = 10


@dataclass(frozen=True)
class Profile:
    program_stack_count: int
    database_size: int
    destroy_on_finalize: bool


PROFILES = {
    "dev": Profile(program_stack_count=1, database_size=10, destroy_on_finalize=True),
    "staging": Profile(program_stack_count=2, database_size=20, destroy_on_finalize=True),
    # Never let deleting a Stack object destroy production resources.
    "prod": Profile(program_stack_count=3, database_size=100, destroy_on_finalize=False),
}


@dataclass(frozen=True)
class PlatformSettings:
    environment: str
    namespace: str
    backend: str
    program_stack_count: int
    database_size: int
    destroy_on_finalize: bool
    component_schema_path: str
    component_token: str
    database_password: pulumi.Output
    aws_secret_access_key: pulumi.Output


def load_settings(stack_name: Optional[str] = None) -> PlatformSettings:
    stack_name = stack_name or pulumi.get_stack()
    config = pulumi.Config("platform")
    problems: List[str] = []

    def required(key: str, example: str) -> str:
        value = config.get(key)
        if value is None or value.strip() == "":
            problems.append(f"platform:{key}: is required; set it with: pulumi config set platform:{key} {example}")
        return value or ""

    def required_secret(key: str) -> pulumi.Output:
        value = config.get_secret(key)
        if value is None:
            problems.append(
                f"platform:{key}: is required; set it, encrypted, with: "
                f"pulumi config set --secret platform:{key} (value on standard input)"
            )
        return value if value is not None else pulumi.Output.secret("")

    environment = required("environment", "<dev|staging|prod>")
    known = environment in ENVIRONMENTS
    if environment and not known:
        problems.append(
            f"platform:environment: unknown environment '{environment}'; set it to one of {', '.join(ENVIRONMENTS)}"
        )
    if known and environment != stack_name:
        problems.append(
            f"platform:environment: is '{environment}' but the selected stack is '{stack_name}'; "
            f"select the stack you mean: pulumi stack select {environment}"
        )
    profile = PROFILES[environment if known else "dev"]
    namespace = required("namespace", f"orders-{stack_name}")
    backend = required("backend", "s3://<state-bucket>")
    count = _whole_number(config.get("programStackCount"), profile.program_stack_count, problems)
    database_password = required_secret("databasePassword")
    aws_secret_access_key = required_secret("awsSecretAccessKey")
    if environment == "prod" and config.get("confirmProduction") != "true":
        problems.append(
            "platform:confirmProduction: prod is refused until you confirm it: "
            "pulumi config set platform:confirmProduction true --stack prod"
        )
    if problems:
        raise pulumi.RunError("invalid stack configuration:\n" + "\n".join(problems))

    return PlatformSettings(
        environment=environment,
        namespace=namespace,
        backend=backend,
        program_stack_count=count,
        database_size=profile.database_size,
        destroy_on_finalize=profile.destroy_on_finalize,
        component_schema_path=config.require("componentSchemaPath"),
        component_token=config.require("componentToken"),
        database_password=database_password,
        aws_secret_access_key=aws_secret_access_key,
    )


def _whole_number(text: Optional[str], fallback: int, problems: List[str]) -> int:
    if text is None:
        return fallback
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= MAX_PROGRAM_STACKS:
        problems.append(
            f"platform:programStackCount: must be a whole number from 1 to {MAX_PROGRAM_STACKS}, got '{text}'"
        )
        return fallback
    return value
