"""Use cases. Each owns its transaction through the ``UnitOfWork`` port."""
