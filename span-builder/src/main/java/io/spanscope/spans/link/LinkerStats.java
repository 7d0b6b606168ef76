package io.spanscope.spans.link;

/**
 * What the local linker decided, as counts. Read from any thread (plain volatile reads of counters written
 * by the linker's single thread).
 *
 * @param linkedSameThread client calls made a child of the server exchange whose thread made them
 * @param linkedSoleCandidate client calls made a child of the only server exchange of their process in flight
 * @param linkedLate client calls whose record arrived after their server exchange was published, still linked
 * @param ambiguous client calls left unlinked because several server exchanges could have caused them
 * @param unlinked client calls no server exchange of their process contained
 * @param fragments fragments published
 * @param linkedByCause client calls made a child of the server exchange the capture named as their cause (the
 *                      kernel followed the request across thread wakeups), with no other evidence against it
 * @param linkedByCompletion client calls made a child of the one server exchange whose response the capture
 *                           says was written after the call's completion woke its thread (the kernel followed
 *                           the wakeups back from the call's response), with no other evidence against it
 * @param causesRefused client calls whose cause the linker set aside: inherited by a thread seen with two calls
 *                      in flight at once (a multiplexer), so possibly another request's; decided without it
 * @param unclaimingAlternativesSetAside client calls linked by completion although another server exchange
 *                                       containing them claimed no completion, because that exchange's handler
 *                                       was shown waiting for a later call of its own (woken by a client thread
 *                                       after the call ended)
 */
public record LinkerStats(long linkedSameThread, long linkedSoleCandidate, long linkedLate, long ambiguous,
                          long unlinked, long fragments, long linkedByCause, long linkedByCompletion,
                          long causesRefused, long unclaimingAlternativesSetAside) {
}
