"""The real-client suite: govc and Ansible against a vimsim serve process."""
