/// A binary min-heap ordered by `less`; the standard library has none (swift-collections'
/// `Heap` needs `Comparable` elements, and the callers order tuples and closures by a key).
package struct MinHeap<Element> {
    private var items: [Element] = []

    package var isEmpty: Bool { items.isEmpty }
    private let less: (Element, Element) -> Bool

    package init(by less: @escaping (Element, Element) -> Bool) { self.less = less }

    package mutating func push(_ item: Element) {
        items.append(item)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard less(items[child], items[parent]) else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    package mutating func pop() -> Element? {
        guard !items.isEmpty else { return nil }
        items.swapAt(0, items.count - 1)
        let top = items.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < items.count && less(items[left], items[smallest]) { smallest = left }
            if right < items.count && less(items[right], items[smallest]) { smallest = right }
            if smallest == parent { break }
            items.swapAt(parent, smallest)
            parent = smallest
        }
        return top
    }
}
