/** One labelled text of the safety corpus. */
export interface CorpusItem {
  id: string;
  family: 'pii' | 'secret' | 'injection';
  /** The rule that must fire, or null for a negative (no rule of the family may fire). */
  rule: string | null;
  /** For pii and secret positives: the exact sensitive value, which a finding must cover. */
  value?: string;
  /** Language of injection items (ISO 639-1). */
  language?: string;
  text: string;
}
