// ProgramStacks for this stack's environment, through the stackwright provider (sdk/go).
package main

import (
	"fmt"

	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stackwright/stackwright/sdk/go/stackwright"
)

func main() {
	pulumi.Run(program)
}

func program(ctx *pulumi.Context) error {
	// Validates before anything is created: a bad stack configuration creates nothing.
	settings, err := loadSettings(ctx)
	if err != nil {
		return err
	}
	// The environment's own namespace: deleting the stack deletes everything in it.
	namespace, err := corev1.NewNamespace(ctx, settings.Namespace, &corev1.NamespaceArgs{
		Metadata: &metav1.ObjectMetaArgs{
			Name:   pulumi.String(settings.Namespace),
			Labels: pulumi.StringMap{"platform.example.com/environment": pulumi.String(settings.Environment)},
		},
	})
	if err != nil {
		return err
	}
	var stackNames pulumi.StringArray
	for index := 1; index <= settings.ProgramStackCount; index++ {
		// Named for the environment (dev-orders-1, prod-orders-3): environments never collide.
		programStack, err := stackwright.NewProgramStack(ctx, fmt.Sprintf("%s-orders-%d", settings.Environment, index),
			&stackwright.ProgramStackArgs{
				ComponentSchemaPath: pulumi.String(settings.ComponentSchemaPath),
				ComponentToken:      pulumi.String(settings.ComponentToken),
				Inputs: pulumi.Map{
					"engine":   pulumi.String("postgres"),
					"size":     pulumi.Int(settings.DatabaseSize),
					"password": settings.DatabasePassword,
				},
				// From the Namespace, so that the objects are created only once it exists.
				Namespace: namespace.Metadata.Name(),
				Backend:   pulumi.String(settings.Backend),
				// The operator names the Pulumi project after the Program, so the stack is named
				// by the environment alone: organization/<program-name>/dev.
				Stack: pulumi.String(settings.Environment),
				// stackwright:accessToken (this stack's encrypted config) supplies PULUMI_ACCESS_TOKEN.
				Credentials:       pulumi.StringMap{"AWS_SECRET_ACCESS_KEY": settings.AwsSecretAccessKey},
				DestroyOnFinalize: pulumi.Bool(settings.DestroyOnFinalize),
			})
		if err != nil {
			return err
		}
		stackNames = append(stackNames, programStack.StackName)
	}
	ctx.Export("environment", pulumi.String(settings.Environment))
	ctx.Export("namespace", pulumi.String(settings.Namespace))
	ctx.Export("stackNames", stackNames)
	return nil
}
