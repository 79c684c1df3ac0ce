"""EMS court mail (EMS 司法专邮): the postal channel."""
