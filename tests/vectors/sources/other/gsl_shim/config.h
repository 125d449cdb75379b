/* empty: GSL sources include <config.h> */
