// Pulumi Kubernetes Operator Programs and Stacks from a Pulumi component's schema.
package stackwright
