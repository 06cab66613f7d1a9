import CLibXML2
import Dispatch
import Glibc
import Synchronization

/// A mutable value shared with an escaping closure that never outlives the call that made it.
final class Box<T> {
    var value: T
    init(_ value: T) { self.value = value }
}

/// Serves libxml2's pull parser: hands out chunk after chunk, each scanned by the gate first; a gate problem
/// ends the input (the read fails), and the end of input is noted for the truncation verdict.
final class PullSource {
    private var current: UnsafeRawBufferPointer?
    private var offset = 0
    private let next: () -> UnsafeRawBufferPointer?
    /// `nil` when the chunks arrive already gated (read ahead on another thread).
    private var gate: InputGate?
    private(set) var gateProblem: GateProblem?
    /// True once the parser asked past the last byte.
    private(set) var atEnd = false
    /// Set after the first well-formedness error: no more input is handed out.
    private var cut = false

    init(first: UnsafeRawBufferPointer, next: @escaping () -> UnsafeRawBufferPointer?, gate: InputGate?) {
        self.next = next
        self.gate = gate
        accept(first)
    }

    private func accept(_ chunk: UnsafeRawBufferPointer) {
        if gate?.feed(chunk) ?? true {
            current = chunk
            offset = 0
        } else {
            gateProblem = gate?.problem
            current = nil
        }
    }

    /// Ends the input early; `atEnd` stays as it was, so a stopped parse never reads as a cut file.
    func cutOff() { cut = true }

    func read(into destination: UnsafeMutablePointer<CChar>, capacity: Int) -> Int32 {
        if gateProblem != nil || cut { return -1 }
        while current == nil || offset == current!.count {
            guard let chunk = next() else {
                if !atEnd {
                    if let problem = gate?.finish() { gateProblem = problem; return -1 }
                    atEnd = true
                }
                return 0
            }
            accept(chunk)
            if gateProblem != nil { return -1 }
        }
        let c = current!
        let n = min(capacity, c.count - offset)
        UnsafeMutableRawPointer(destination).copyMemory(from: c.baseAddress! + offset, byteCount: n)
        offset += n
        return Int32(n)
    }
}

let pullRead: xmlInputReadCallback = { context, buffer, length in
    guard let context, let buffer, length > 0 else { return -1 }
    return Unmanaged<PullSource>.fromOpaque(context)._withUnsafeGuaranteedRef { $0.read(into: buffer, capacity: Int(length)) }
}

let pullClose: xmlInputCloseCallback = { _ in 0 }

/// Reads a file on a second thread, four 256 KB buffers ahead of the parser, running the input gate over each
/// chunk before handing it on: for large files the gate and the reads leave the parser's critical path.
///
/// The owner must call ``stop()`` once the parse is over, however it ended (end of input, a limit, a parse
/// error): it ends the reader, waits for its thread to return and gives `free` back every permit the reader took
/// for buffers the parser never released. libdispatch traps ("semaphore object deallocated while in use") when
/// a semaphore is freed below its initial count, which is what an early stop used to leave behind.
final class ReadAhead: @unchecked Sendable {
    private let fd: Int32
    private let limits: XMLLimits
    private let buffers: [UnsafeMutableRawBufferPointer]
    private let free: DispatchSemaphore
    private let filled = DispatchSemaphore(value: 0)
    private let done = DispatchSemaphore(value: 0)
    /// Filled buffers in order: index and byte count; a negative count ends the stream.
    private let queue = Mutex<[(index: Int, count: Int)]>([])
    private let cancelled = Atomic<Bool>(false)
    private var held: Int?
    private var ended = false
    private var stopped = false
    /// Permits of `free` taken by the reader and not yet given back by the parser (may go below zero by one:
    /// the permit `stop()` adds to wake the reader).
    private let permitsOut = Atomic<Int>(0)
    // Written by the reader before it publishes the end of the stream, read by the parser after.
    private(set) var gateProblem: GateProblem?
    private(set) var ioError: Int32 = 0
    private let readBytes = Atomic<Int>(0)
    private let exited = Atomic<Bool>(false)
    /// Bytes read from the file so far.
    var bytesRead: Int { readBytes.load(ordering: .acquiring) }
    /// True once the reader thread has returned.
    var readerExited: Bool { exited.load(ordering: .acquiring) }

    init(fd: Int32, limits: XMLLimits) {
        self.fd = fd
        self.limits = limits
        buffers = (0..<4).map { _ in .allocate(byteCount: XMLStream.chunkSize, alignment: 16) }
        free = DispatchSemaphore(value: buffers.count)
        DispatchQueue.global(qos: .userInitiated).async { [self] in produce() }
    }

    deinit {
        buffers.forEach { $0.deallocate() }
    }

    private func produce() {
        defer {
            exited.store(true, ordering: .releasing)
            done.signal()
        }
        var gate: InputGate?
        var slot = 0
        while true {
            free.wait()
            permitsOut.add(1, ordering: .relaxed)
            if cancelled.load(ordering: .acquiring) { return }
            let buffer = buffers[slot]
            var n = 0
            repeat { n = read(fd, buffer.baseAddress!, buffer.count) } while n < 0 && errno == EINTR
            if n < 0 {
                ioError = errno
                publish(-1, -1)
                return
            }
            readBytes.add(n, ordering: .releasing)
            if n == 0 {
                gateProblem = gate == nil ? .empty : gate!.finish()
                publish(-1, -1)
                return
            }
            let chunk = UnsafeRawBufferPointer(rebasing: buffer[0..<n])
            if gate == nil {
                switch Prolog.detect(UnsafeRawBufferPointer(rebasing: chunk.prefix(512))) {
                case .success(let p): gate = InputGate(prolog: p, limits: limits)
                case .failure(let problem):
                    gateProblem = problem
                    publish(-1, -1)
                    return
                }
            }
            if gate?.feed(chunk) == false {
                gateProblem = gate?.problem
                publish(-1, -1)
                return
            }
            publish(slot, n)
            slot = (slot + 1) % buffers.count
        }
    }

    private func publish(_ index: Int, _ count: Int) {
        queue.withLock { $0.append((index, count)) }
        filled.signal()
    }

    /// The next gated chunk, or `nil` at the end (or after a gate problem or an I/O error).
    func next() -> UnsafeRawBufferPointer? {
        if held != nil {
            held = nil
            permitsOut.subtract(1, ordering: .relaxed)
            free.signal()
        }
        if ended { return nil }
        filled.wait()
        let item = queue.withLock { $0.removeFirst() }
        if item.count < 0 {
            ended = true
            return nil
        }
        held = item.index
        return UnsafeRawBufferPointer(rebasing: buffers[item.index][0..<item.count])
    }

    /// Stops the reader (the parser may have finished early), waits for its thread to return and gives back the
    /// permits of the buffers still held: chunks queued and never parsed, the one the parser held, the one whose
    /// gate problem ended the stream. Calling it again does nothing.
    func stop() {
        guard !stopped else { return }
        stopped = true
        cancelled.store(true, ordering: .releasing)
        // Wakes the reader if it waits for a free buffer; otherwise it sees `cancelled` at its next wait.
        permitsOut.subtract(1, ordering: .relaxed)
        free.signal()
        done.wait()
        // The reader has returned (`done` orders its writes before this point); only this thread is left.
        let out = permitsOut.load(ordering: .relaxed)
        if out > 0 {
            for _ in 0..<out { free.signal() }
        }
        permitsOut.store(0, ordering: .relaxed)
    }
}
