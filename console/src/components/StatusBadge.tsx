import { StackStatus } from "../api/platform";

export type Tone = "neutral" | "progress" | "good" | "bad";

/** Each status's word and tone; the word is always shown, so colour is never the only sign. */
const STATUS: Record<StackStatus, { label: string; tone: Tone }> = {
  [StackStatus.UNSPECIFIED]: { label: "unknown", tone: "neutral" },
  [StackStatus.PENDING]: { label: "pending", tone: "neutral" },
  [StackStatus.DEPLOYING]: { label: "deploying", tone: "progress" },
  [StackStatus.DEPLOYED]: { label: "deployed", tone: "good" },
  [StackStatus.FAILED]: { label: "failed", tone: "bad" },
  [StackStatus.DESTROYING]: { label: "destroying", tone: "progress" },
  [StackStatus.DESTROYED]: { label: "destroyed", tone: "neutral" },
};

export function StatusBadge({ status }: { status: StackStatus }) {
  const { label, tone } = STATUS[status] ?? STATUS[StackStatus.UNSPECIFIED];
  return <Badge label={label} tone={tone} />;
}

/** A word on a coloured pill; the word carries the meaning, the colour repeats it. */
export function Badge({ label, tone }: { label: string; tone: Tone }) {
  return <span className={`badge badge-${tone}`}>{label}</span>;
}
