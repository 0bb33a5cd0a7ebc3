/** Exit codes: 0 ok, 1 failure, 2 usage (bad flags, bad config). */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
