"""One module per generator family; each module lists its classes in ``GENERATORS``."""
