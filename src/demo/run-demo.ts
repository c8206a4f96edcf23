/** The demonstration; written in full further on. */
export {};
