package org.multitables4j;

/**
 * A builder was given options that cannot work together or do not match the file: a missing
 * dataset path, feature and label row counts that differ, a batch size below 1, and so on.
 */
public class InvalidConfigurationException extends MultitablesException {
    private static final long serialVersionUID = 1L;

    /** @param message what is wrong and with which option */
    public InvalidConfigurationException(String message) {
        super(message);
    }

    /**
     * @param message what is wrong and with which option
     * @param cause the underlying failure
     */
    public InvalidConfigurationException(String message, Throwable cause) {
        super(message, cause);
    }
}
