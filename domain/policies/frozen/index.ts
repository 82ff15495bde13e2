/**
 * The policy library: every frozen policy version, by id, version and SHA-256 of its canonical
 * JSON. Written by tools/freeze-policies.ts; never edit by hand. Workflow-safe (static
 * requires of JSON only), and shared by every workflow (worker/workflow-bundle.ts).
 */
import type { PolicySnapshot } from '../../policy';

export const FROZEN_POLICIES: ReadonlyArray<{ id: string; version: string; sha256: string; snapshot: PolicySnapshot }> = [
  { id: "demo-minutes", version: "demo.1", sha256: "3928b3aadfc7dab7fd50e7d460e40ab97814babca8eb6fd9f1aa3deab038391f", snapshot: require("./demo-minutes@demo.1.json") as PolicySnapshot },
  { id: "demo-minutes", version: "demo.2", sha256: "115d21e7f1324eb74c5d3e7fa3970cd9f6c3312b89ef291a568b5887536ffbcd", snapshot: require("./demo-minutes@demo.2.json") as PolicySnapshot },
  { id: "national", version: "2026.1", sha256: "5e32132b35a98f367a88d943f410bd66971f7eabd0f83938b2424ca9fc21017b", snapshot: require("./national@2026.1.json") as PolicySnapshot },
  { id: "national", version: "2026.2", sha256: "b786d6aa2fd4bec383b6ead4d124832fae5ed3d038ffa61ea91af868def2de2c", snapshot: require("./national@2026.2.json") as PolicySnapshot },
  { id: "worcestershire-phase2", version: "2020.06.2", sha256: "873363dad61a0d42adc83457857c3859a5feeb42a4c25d92675b5689e18876c5", snapshot: require("./worcestershire-phase2@2020.06.2.json") as PolicySnapshot },
  { id: "worcestershire-phase2", version: "2020.06", sha256: "9714cc3c92fdce0a54758e6ad0f4ec6a84cd94acdb9e2321a5b04915c740255a", snapshot: require("./worcestershire-phase2@2020.06.json") as PolicySnapshot },
];
