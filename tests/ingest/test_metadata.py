from qa.ingest.metadata import document_body, document_date, document_type


def test_document_body_type_and_date():
    assert document_body("Referat af møde i Hoved-MED", "") == "HovedMED"
    assert document_type("REFERAT AfdelingsMED", "") == "referat"
    assert document_type("Bilag 3", "NOTAT\nBilag 3") == "notat"
    assert document_date("Dagsorden\nMødedato: 5. marts 2024\nBilag fra 1. januar 2020") == "2024-03-05"
