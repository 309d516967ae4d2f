package org.multitables4j;

/** The iterator or reader was closed (possibly from another thread) while it was being used. */
public class IteratorClosedException extends MultitablesException {
    private static final long serialVersionUID = 1L;

    /** @param message what was attempted after close */
    public IteratorClosedException(String message) {
        super(message);
    }
}
