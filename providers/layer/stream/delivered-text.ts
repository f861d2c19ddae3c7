/**
 * The answer text delivered so far, kept compact. Appending thousands of small deltas with `+=`
 * builds a rope whose nodes pin every delta (about 50 bytes each, times 1,000 concurrent
 * streams); here deltas are joined into flat blocks 256 at a time, which costs linear time
 * overall and keeps memory close to the text's own length.
 */

/** How many deltas are joined into one flat block. */
const deltasPerBlock = 256;

/** An append-only text. */
export class DeliveredText {
  private readonly blocks: string[] = [];
  private pending: string[] = [];
  private total = 0;

  /** Characters held. */
  get length(): number {
    return this.total;
  }

  append(text: string): void {
    this.pending.push(text);
    this.total += text.length;
    if (this.pending.length >= deltasPerBlock) {
      this.blocks.push(this.pending.join(''));
      this.pending = [];
    }
  }

  /** The last `count` characters (fewer when the text is shorter). */
  tail(count: number): string {
    let collected = this.pending.join('');
    for (let index = this.blocks.length - 1; index >= 0 && collected.length < count; index--) collected = this.blocks[index] + collected;
    return collected.length > count ? collected.slice(-count) : collected;
  }

  /** Forgets everything (a restart). */
  clear(): void {
    this.blocks.length = 0;
    this.pending = [];
    this.total = 0;
  }

  toString(): string {
    return this.blocks.join('') + this.pending.join('');
  }
}
