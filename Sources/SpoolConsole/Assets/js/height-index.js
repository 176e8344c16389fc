// Row heights with fast prefix sums (a Fenwick tree), so a list of 100,000 rows of
// different heights finds the row at a scroll position in O(log n).

export class HeightIndex {
  constructor(estimate) {
    this.estimate = estimate;
    this.count = 0;
    this.capacity = 0;
    this.heights = new Float64Array(0);
    this.tree = new Float64Array(1);
  }

  /** Grows or shrinks to `count` rows; new rows get the estimated height. */
  resize(count) {
    if (count > this.capacity) {
      const capacity = Math.max(count, this.capacity * 2, 64);
      const heights = new Float64Array(capacity);
      heights.set(this.heights.subarray(0, this.count));
      heights.fill(this.estimate, this.count, count);
      this.heights = heights;
      this.capacity = capacity;
      this.count = count;
      this.rebuild();
      return;
    }
    for (let index = this.count; index < count; index += 1) this.set(index, this.estimate);
    for (let index = count; index < this.count; index += 1) this.set(index, 0);
    this.count = count;
  }

  /** Inserts `rows` rows of estimated height before the first one. */
  prepend(rows) {
    const count = this.count + rows;
    const heights = new Float64Array(Math.max(count, this.capacity));
    heights.fill(this.estimate, 0, rows);
    heights.set(this.heights.subarray(0, this.count), rows);
    this.heights = heights;
    this.capacity = heights.length;
    this.count = count;
    this.rebuild();
  }

  rebuild() {
    const tree = new Float64Array(this.capacity + 1);
    for (let index = 1; index <= this.capacity; index += 1) {
      tree[index] += index <= this.count ? this.heights[index - 1] : 0;
      const parent = index + (index & -index);
      if (parent <= this.capacity) tree[parent] += tree[index];
    }
    this.tree = tree;
  }

  height(index) {
    return this.heights[index];
  }

  set(index, height) {
    const delta = height - this.heights[index];
    if (delta === 0) return;
    this.heights[index] = height;
    for (let node = index + 1; node <= this.capacity; node += node & -node) this.tree[node] += delta;
  }

  /** The sum of the heights of rows before `index`: where that row starts. */
  top(index) {
    let sum = 0;
    for (let node = index; node > 0; node -= node & -node) sum += this.tree[node];
    return sum;
  }

  total() {
    return this.top(this.count);
  }

  /** The row at vertical position `y`. */
  indexAt(y) {
    let index = 0;
    let remaining = y;
    for (let step = 1 << Math.floor(Math.log2(Math.max(1, this.capacity))); step > 0; step >>= 1) {
      const next = index + step;
      if (next <= this.capacity && this.tree[next] <= remaining) {
        index = next;
        remaining -= this.tree[next];
      }
    }
    return Math.min(index, Math.max(0, this.count - 1));
  }
}
