from app.keys import purpose_key


def test_purposes_get_different_keys_from_one_root() -> None:
    assert purpose_key("root-secret", "csrf") != purpose_key("root-secret", "sandbox-seal")


def test_the_same_purpose_and_root_give_the_same_key() -> None:
    assert purpose_key("root-secret", "csrf") == purpose_key("root-secret", "csrf")
    assert len(purpose_key("root-secret", "csrf", 16)) == 16


def test_another_root_gives_another_key() -> None:
    assert purpose_key("root-a", "csrf") != purpose_key("root-b", "csrf")
