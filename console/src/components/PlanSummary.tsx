import type { Deployment } from "../api/platform";

/**
 * What a deployment's preview found: its changes by kind, the plan hash an approver decides on,
 * and the policy packs' findings (a mandatory one failed the preview; advisory ones are for the
 * approver to weigh).
 */
export function PlanSummary({ deployment }: { deployment: Deployment }) {
  const changes = Object.entries(deployment.changes).sort(([a], [b]) => a.localeCompare(b));
  const hash = deployment.approval?.planHash ?? "";
  return (
    <div className="plan">
      {changes.length > 0 && (
        <p>
          Plan:{" "}
          {changes.map(([kind, count], i) => (
            <span key={kind} data-change={kind}>
              {i > 0 && ", "}
              {String(count)} to {kind}
            </span>
          ))}
        </p>
      )}
      {hash !== "" && (
        <p>
          Plan hash: <code className="hash">{hash}</code>
        </p>
      )}
      {deployment.policyFindings.length > 0 && (
        <>
          <p>Policy findings:</p>
          <ul className="findings">
            {deployment.policyFindings.map((f, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: findings have no id and never reorder
              <li key={i} data-enforcement={f.enforcement}>
                <strong>{f.enforcement}</strong> {f.policyPack}@{f.policyPackVersion} / {f.policy}
                {f.resource !== "" && (
                  <>
                    {" "}
                    on <code>{f.resource}</code>
                  </>
                )}
                : {f.message}
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
