/**
 * Selects the k best candidates from `count` scored items without sorting them all: a bounded
 * min-heap, O(n log k). `better(a, b)` is true when item a ranks above item b; it must be a
 * strict total order. Returns item indices, best first.
 */
export function selectTopK(count: number, k: number, better: (a: number, b: number) => boolean): number[] {
  if (k <= 0 || count === 0) return [];
  const heap: number[] = []; // heap[0] is the worst of the kept items
  const worse = (a: number, b: number): boolean => better(b, a);
  const siftDown = (start: number): void => {
    let index = start;
    for (;;) {
      const left = 2 * index + 1;
      const right = left + 1;
      let worst = index;
      if (left < heap.length && worse(heap[left], heap[worst])) worst = left;
      if (right < heap.length && worse(heap[right], heap[worst])) worst = right;
      if (worst === index) return;
      [heap[index], heap[worst]] = [heap[worst], heap[index]];
      index = worst;
    }
  };
  for (let item = 0; item < count; item++) {
    if (heap.length < k) {
      heap.push(item);
      let index = heap.length - 1;
      while (index > 0) {
        const parent = (index - 1) >> 1;
        if (!worse(heap[index], heap[parent])) break;
        [heap[index], heap[parent]] = [heap[parent], heap[index]];
        index = parent;
      }
    } else if (better(item, heap[0])) {
      heap[0] = item;
      siftDown(0);
    }
  }
  return heap.sort((a, b) => (better(a, b) ? -1 : 1));
}
