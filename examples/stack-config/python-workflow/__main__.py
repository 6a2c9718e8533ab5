"""ProgramStacks for this stack's environment, through the stackwright provider (sdk/python)."""

import pulumi
import pulumi_kubernetes as k8s
import stackwright

from settings import load_settings


def main() -> None:
    # Validates before anything is created: a bad stack configuration creates nothing.
    settings = load_settings()
    # The environment's own namespace: deleting the stack deletes everything in it.
    namespace = k8s.core.v1.Namespace(
        settings.namespace,
        metadata={
            "name": settings.namespace,
            "labels": {"platform.example.com/environment": settings.environment},
        },
    )
    program_stacks = []
    for index in range(1, settings.program_stack_count + 1):
        # Named for the environment (dev-orders-1, prod-orders-3): environments never collide.
        program_stacks.append(
            stackwright.ProgramStack(
                f"{settings.environment}-orders-{index}",
                stackwright.ProgramStackArgs(
                    component_schema_path=settings.component_schema_path,
                    component_token=settings.component_token,
                    inputs={
                        "engine": "postgres",
                        "size": settings.database_size,
                        "password": settings.database_password,
                    },
                    # From the Namespace, so that the objects are created only once it exists.
                    namespace=namespace.metadata.name,
                    backend=settings.backend,
                    # The operator names the Pulumi project after the Program, so the stack is
                    # named by the environment alone: organization/<program-name>/dev.
                    stack=settings.environment,
                    # stackwright:accessToken (this stack's encrypted config) supplies PULUMI_ACCESS_TOKEN.
                    credentials={"AWS_SECRET_ACCESS_KEY": settings.aws_secret_access_key},
                    destroy_on_finalize=settings.destroy_on_finalize,
                ),
            )
        )
    pulumi.export("environment", settings.environment)
    pulumi.export("namespace", settings.namespace)
    pulumi.export("stackNames", [program_stack.stack_name for program_stack in program_stacks])


main()
